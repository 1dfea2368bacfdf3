// The production bundle of the CLI (`npm run build` runs it after tsc): dist/bundle/, one file
// per lazily loaded part instead of ≈ 600 modules for the TUI alone. Each dynamic import in
// src/ stays a separate chunk, so a command still loads only what it uses. Sourcemaps keep
// stack traces (node --enable-source-maps) and the module trace of test/startup-modules usable.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Ink's `yoga-layout`, loaded without fetch(). Its Emscripten loader reads the WebAssembly
 * embedded as a data: URL with fetch() whenever a global fetch exists, and Node's first fetch()
 * loads undici: ≈ 60 ms of the TUI's first frame spent compiling an HTTP client, before the
 * layout engine can start. With no global fetch in sight for that one synchronous call, the same
 * loader decodes the embedded bytes itself (its documented fallback). Ink imports only the
 * default export, the same object as before.
 */
const YOGA = '\0yoga-layout-without-fetch';
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  resolveId(source) {
    return source === 'yoga-layout' ? YOGA : undefined;
  },
  load(id) {
    if (id !== YOGA) return undefined;
    return `import { loadYoga } from 'yoga-layout/load';
export * from 'yoga-layout/load';
function withoutFetch(load) {
  const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!fetch?.configurable) return load();
  delete globalThis.fetch;
  try {
    return load();
  } finally {
    Object.defineProperty(globalThis, 'fetch', fetch);
  }
}
const Yoga = await withoutFetch(loadYoga);
export default Yoga;
`;
  },
};
const out = `${root}dist/bundle`;
rmSync(out, { recursive: true, force: true });

/**
 * zod, configured `jitless` before any schema is built. By default zod compiles a parser for each
 * object schema with new Function() the first time it parses: that pays for itself over
 * thousands of parses, and this program parses a few dozen documents per process (`lint`:
 * every runbook once, each step's `with` once) — the compiling was most of what validation
 * cost. jitless is zod's documented switch for the same checks and results without eval. Every
 * `import 'zod'` of the bundle goes through this module, and ES modules run it before any
 * module that imports zod builds a schema.
 */
const ZOD = '\0zod-jitless';
const zodJitless = {
  name: 'zod-jitless',
  resolveId(source, importer) {
    return source === 'zod' && importer !== ZOD ? ZOD : undefined;
  },
  load(id) {
    if (id !== ZOD) return undefined;
    return `import { config } from 'zod/v4/core';
config({ jitless: true });
export * from 'zod';
export { z, default } from 'zod';
`;
  },
};

/**
 * wrap-ansi (Ink's wrapping of every <Text>) with the string-width Ink itself measures with.
 * wrap-ansi 9 asks for string-width 7, which measures even plain ASCII one grapheme at a time
 * (Intl.Segmenter, then an emoji regex per character): most of the home screen's first layout.
 * Version 8 has an ASCII fast path and is what Ink uses to measure the same text, so wrapping and
 * measuring now agree by construction (they differ only on rare emoji and Hangul sequences).
 */
const stringWidth = fileURLToPath(import.meta.resolve('string-width'));
const wrapWithInksStringWidth = {
  name: 'wrap-ansi-string-width',
  resolveId(source, importer) {
    return source === 'string-width' && /[\\/]node_modules[\\/]wrap-ansi[\\/]/.test(importer ?? '')
      ? stringWidth
      : undefined;
  },
};

/**
 * Ink's output caches kept from one frame to the next. Ink turns every line of every frame into
 * styled cells (tokenizing its escape codes) and caches that per line — but in a cache it makes
 * new for each frame, so a redraw where one line changed (a status row, the "updated" time)
 * tokenizes all 45 again: most of what a redraw cost. One cache for the process, emptied when it
 * grows past CACHE_LINES, so that lines no longer on screen do not pile up. The cached cells are
 * only read (Output.get copies them into its grid; nothing writes into them). If an Ink upgrade
 * changes the line this replaces, the build fails instead of quietly losing it.
 */
const INK_OUTPUT = /[\\/]node_modules[\\/]ink[\\/]build[\\/]output\.js$/;
const inkOutputCachesKept = {
  name: 'ink-output-caches-kept',
  transform(code, id) {
    if (!INK_OUTPUT.test(id)) return undefined;
    const from = 'caches = new OutputCaches();';
    if (!code.includes(from)) throw new Error(`${id}: no "${from}" to replace (Ink changed)`);
    // The lines above the appended ones keep their positions: the source map stays right.
    const kept = `${code.replace(from, 'caches = keptOutputCaches();')}
const CACHE_LINES = 4000;
let kept;
function keptOutputCaches() {
  if (!kept || kept.styledChars.size + kept.widths.size + kept.blockWidths.size > CACHE_LINES) kept = new OutputCaches();
  return kept;
}
`;
    return { code: kept, map: null };
  },
};

await build({
  cwd: root,
  input: {
    main: 'src/cli/main.ts',
    // Spawned as its own process by src/sandbox/up.ts, found next to the chunk that starts it.
    'supervisor-main': 'src/sandbox/supervisor-main.ts',
  },
  platform: 'node',
  plugins: [yogaWithoutFetch, zodJitless, wrapWithInksStringWidth, inkOutputCachesKept],
  tsconfig: 'tsconfig.build.json',
  // The AWS SDK stays in node_modules (loaded per service on its first call), except the EC2
  // client's own code: its ES build, bundled, keeps only the commands src/ names (see
  // src/adapters/aws/ec2-sdk.ts) instead of all of them. Its runtime (@aws-sdk/core, @smithy/*)
  // is the one the other clients share. clipboardy finds its helper binaries next to its files.
  external: [/^@aws-sdk\/(?!client-ec2$)/, /^@smithy\//, 'clipboardy', 'react-devtools-core'],
  resolve: {
    alias: {
      'es-toolkit/compat': `${root}src/vendor/es-toolkit-compat.ts`,
      '@aws-sdk/client-ec2': `${root}node_modules/@aws-sdk/client-ec2/dist-es/index.js`,
    },
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
