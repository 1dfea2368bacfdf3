// The layers of src/ and what each may import — the one statement of the architecture, used
// by eslint.config.js for the real tree and by test/layering.test.ts on fixtures that break
// each rule (so a rule that stops firing fails a test).

export const LAYERS = ['domain', 'engine', 'adapters', 'app', 'headless', 'ui', 'cli', 'sandbox'];

/** Which other layers a layer may import. Everything not named here is refused. */
export const ALLOWED = {
  // Pure: the runbook model, expressions, errors, secrets.
  domain: [],
  // Pure: the reducer, the interpreter and the actions, speaking to the world through ports.
  engine: ['domain'],
  // The only I/O: implementations of the engine's ports.
  adapters: ['domain', 'engine'],
  // Headless answers and reporters.
  headless: ['domain', 'engine', 'adapters'],
  // The application layer: prepares runs, composes ports, collects status.
  app: ['domain', 'engine', 'adapters'],
  // The TUI: reaches the engine through app/, never the CLI.
  ui: ['domain', 'engine', 'app'],
  // The composition of everything: parses argv, picks headless or TUI.
  cli: ['domain', 'engine', 'adapters', 'app', 'headless', 'ui', 'sandbox'],
  // The local training cluster: its own processes and AWS/Vault clients.
  sandbox: ['domain', 'adapters', 'app'],
};

/** Narrow exceptions, each with its reason. */
const EXCEPTIONS = {
  // The composition root gives the sandbox profile's AWS port the sandbox's fixed dummy keys
  // (layout.js) and its emulated replication (api.js, the sandbox's one API for other layers).
  app: ['!**/sandbox/layout.js', '!**/sandbox/api.js'],
  // In the sandbox its supervisor stands in for AWS services the runbooks need (an isolated
  // recovery node, the emulated replication): their adapters reach it through api.js only.
  adapters: ['!**/sandbox/api.js'],
};

const PURE = new Set(['domain', 'engine']);

const uiLibraries = {
  group: ['react', 'react/*', 'ink', 'ink-*', 'zustand', 'zustand/*'],
  message: 'only ui/ renders: no UI or store imports here.',
};
const ioModules = {
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
  message: 'domain/ and engine/ are pure: I/O belongs in adapters/, behind a port.',
};
const testSupport = {
  group: ['**/test-support/**'],
  message: 'src/test-support is for tests only.',
};

export function restrictedImports(layer) {
  const refused = LAYERS.filter((l) => l !== layer && !ALLOWED[layer].includes(l));
  const patterns = [testSupport];
  if (refused.length)
    patterns.push({
      group: [...refused.map((l) => `**/${l}/**`), ...(EXCEPTIONS[layer] ?? [])],
      message: ALLOWED[layer].length
        ? `${layer}/ may import only ${ALLOWED[layer].join(', ')} (eslint.layers.js).`
        : `${layer}/ imports no other layer (eslint.layers.js).`,
    });
  if (layer !== 'ui' && layer !== 'cli') patterns.push(uiLibraries);
  if (PURE.has(layer)) patterns.push(ioModules);
  return { patterns };
}

/** One flat-config block per layer: files under `${base}/<layer>/`. */
export function layerConfigs(base = 'src') {
  return LAYERS.map((layer) => ({
    files: [`${base}/${layer}/**/*.ts`, `${base}/${layer}/**/*.tsx`],
    rules: { 'no-restricted-imports': ['error', restrictedImports(layer)] },
  }));
}

const noEval = { selector: "CallExpression[callee.name='eval']", message: 'no eval' };
const noFunctionCtor = {
  selector: "NewExpression[callee.name='Function'], CallExpression[callee.name='Function']",
  message: 'no new Function: values are data, never code',
};
const noReveal = {
  selector: "MemberExpression[property.name='reveal']",
  message:
    'only adapters reveal a Secret: hand it to a port that takes a Secret (eslint.layers.js).',
};
// On Node 20 a timeout signal held only by AbortSignal.any can be garbage-collected before it
// fires (nodejs/node#57736): the deadline never comes and a call to a silent node hangs.
const noTimeoutInAny = {
  selector:
    "CallExpression[callee.object.name='AbortSignal'][callee.property.name='any'] CallExpression[callee.object.name='AbortSignal'][callee.property.name='timeout']",
  message:
    'no AbortSignal.timeout inside AbortSignal.any: Node 20 can collect it before it fires; use withDeadline (domain/deadline.ts).',
};

/**
 * Where a Secret's plaintext may be taken out (STYLE 14): the adapters that hand it to the world,
 * the domain's own secret helpers, the fakes standing in for adapters, and the one component
 * that puts a keyholder's share on the screen (an output device like the clipboard).
 */
export const REVEAL_ALLOWED = [
  'adapters/**',
  'domain/secret.ts',
  'domain/secret-*.ts',
  'test-support/**',
  'ui/common/SecretText.tsx',
  '**/*.test.ts',
  '**/*.test.tsx',
];

/**
 * Syntax that is refused in src/: eval, Function and AbortSignal.timeout inside AbortSignal.any
 * everywhere, `.reveal` outside REVEAL_ALLOWED.
 */
export function syntaxConfigs(base = 'src') {
  const files = [`${base}/**/*.ts`, `${base}/**/*.tsx`];
  return [
    {
      files,
      rules: {
        'no-restricted-syntax': ['error', noEval, noFunctionCtor, noTimeoutInAny, noReveal],
      },
    },
    {
      files: REVEAL_ALLOWED.map((p) => `${base}/${p}`),
      rules: { 'no-restricted-syntax': ['error', noEval, noFunctionCtor, noTimeoutInAny] },
    },
  ];
}
