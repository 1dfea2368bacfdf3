import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

// Layering is enforced here, not by convention: domain/ and engine/ are pure and never
// reach the UI, the store or an adapter (DESIGN §4, STYLE 3).
const pureLayerImports = {
  patterns: [
    {
      group: ['react', 'react/*', 'ink', 'ink-*', 'zustand', 'zustand/*'],
      message: 'domain/ and engine/ are pure: no UI or store imports.',
    },
    {
      group: ['**/adapters/**', '**/ui/**', '**/headless/**', '**/cli/**', '**/sandbox/**'],
      message: 'domain/ and engine/ must not import outer layers.',
    },
    {
      group: [
        'execa',
        'node-vault',
        '@aws-sdk/*',
        'clipboardy',
        'node:fs',
        'node:fs/*',
        'node:child_process',
        'node:net',
        'node:http',
        'node:https',
      ],
      message: 'I/O belongs in adapters/, behind a port.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bin/**',
      'eslint.config.js',
      'scripts/*.js',
      'scripts/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'no eval' },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', pureLayerImports] },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': 'off',
    },
  },
);
