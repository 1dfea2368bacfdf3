// The production bundle of the CLI (`npm run build` runs it after tsc): dist/bundle/, one file
// per lazily loaded part instead of ≈ 600 modules for the TUI alone. Each dynamic import in
// src/ stays a separate chunk, so a command still loads only what it uses. Sourcemaps keep
// stack traces (node --enable-source-maps) and the module trace of test/startup-modules usable.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;
rmSync(out, { recursive: true, force: true });

await build({
  cwd: root,
  input: {
    main: 'src/cli/main.ts',
    // Spawned as its own process by src/sandbox/up.ts, found next to the chunk that starts it.
    'supervisor-main': 'src/sandbox/supervisor-main.ts',
  },
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
  // The AWS SDK stays in node_modules: it is loaded per service on the first call (its own
  // lazy requires, optional native add-ons), and bundling it would not make that cheaper.
  // clipboardy finds its helper binaries next to its own files.
  external: [/^@aws-sdk\//, /^@smithy\//, 'clipboardy', 'react-devtools-core'],
  resolve: {
    alias: { 'es-toolkit/compat': `${root}src/vendor/es-toolkit-compat.ts` },
  },
  // React and its reconciler pick their production builds from NODE_ENV: the bundle carries only
  // those (src/cli/tui.ts sets it at run time for the unbundled build).
  transform: { define: { 'process.env.NODE_ENV': '"production"' } },
  output: {
    dir: out,
    format: 'esm',
    sourcemap: true,
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
  },
});
