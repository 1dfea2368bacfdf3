// The production bundle of the CLI (`npm run build` runs it after tsc): dist/bundle/, one file
// per lazily loaded part instead of ≈ 600 modules for the TUI alone. Each dynamic import in
// src/ stays a separate chunk, so a command still loads only what it uses. Sourcemaps keep
// stack traces (node --enable-source-maps) and the module trace of test/startup-modules usable.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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
/**
 * Ink's frame, drawn from the same cells as before, with less work per redraw. Each frame Ink
 * fills a grid (150 × 45 cells on a common terminal) with a new blank cell object per cell, then
 * turns every row back into text, comparing each cell's styles with its neighbour's: on an idle
 * status screen, where a redraw changes a line or two, that was most of a redraw. Now every blank
 * is one frozen cell (nothing writes into a cell: Ink replaces cells, and a write into the frozen
 * one would throw rather than spread), and a row whose cells are the very same objects as in an
 * earlier frame (the line caches above hand out the same cells for the same text) gets the text
 * made for them then.
 */
const INK_OUTPUT_EDITS = [
  ['caches = new OutputCaches();', 'caches = keptOutputCaches();'],
  [
    `                row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });`,
    `                row.push(
                    BLANK_CELL
                    // One frozen blank for every cell (see scripts/bundle.mjs)
                    //
                    //
                );`,
  ],
  [
    `            const lineWithoutEmptyItems = line.filter(item => item !== undefined);
            return styledCharsToString(lineWithoutEmptyItems).trimEnd();`,
    `            // The row's text, made once for the same cells (see scripts/bundle.mjs)
            return rowString(line);`,
  ],
];
const inkOutputCachesKept = {
  name: 'ink-output-caches-kept',
  transform(code, id) {
    if (!INK_OUTPUT.test(id)) return undefined;
    let out = code;
    for (const [from, to] of INK_OUTPUT_EDITS) {
      if (!out.includes(from)) throw new Error(`${id}: no "${from}" to replace (Ink changed)`);
      out = out.replace(from, to);
    }
    // Each edit keeps its lines, and the appended code comes after them: the map stays right.
    const kept = `${out}
const CACHE_LINES = 4000;
let kept;
function keptOutputCaches() {
  if (!kept || kept.styledChars.size + kept.widths.size + kept.blockWidths.size > CACHE_LINES) kept = new OutputCaches();
  return kept;
}
const BLANK_CELL = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });
const cellIds = new WeakMap();
let nextCellId = 1;
const rowStrings = new Map();
function rowString(line) {
  let key = '';
  for (let x = 0; x < line.length; x++) {
    const cell = line[x];
    if (cell === undefined) {
      key += '-,';
      continue;
    }
    let id = cellIds.get(cell);
    if (id === undefined) cellIds.set(cell, (id = nextCellId++));
    key += id + ',';
  }
  let text = rowStrings.get(key);
  if (text === undefined) {
    if (rowStrings.size > CACHE_LINES) rowStrings.clear();
    text = styledCharsToString(line.filter((item) => item !== undefined)).trimEnd();
    rowStrings.set(key, text);
  }
  return text;
}
`;
    return { code: kept, map: null };
  },
};

/**
 * The TUI's libraries — React, its reconciler, Ink and their helpers, ≈ 0.9 MB — as one
 * CommonJS file, dist/bundle/tui-vendor.cjs, that src/adapters/code-cache.ts runs with V8's
 * code cache: on Node 20 an ES module is compiled from source on every start, and that
 * compiling was a third of the TUI's first frame. The rest of the program imports 'ink', 'react'
 * and 'react/jsx-runtime' from small ES modules made here, which hand out the file's exports: one
 * copy of React for all. Yoga stays an ES module of the main bundle (its loader is asynchronous)
 * and is handed to the file as its 'yoga-layout'.
 */
const VENDOR_FILE = 'tui-vendor.cjs';
const VENDOR_ENTRY = '\0tui-vendor-entry';
const VENDOR_LOAD = '\0tui-vendor-load';
const vendorModules = {
  ink: 'ink',
  react: 'react',
  'react/jsx-runtime': 'jsxRuntime',
};
const vendorEntry = {
  name: 'tui-vendor-entry',
  resolveId: (source) => (source === VENDOR_ENTRY ? VENDOR_ENTRY : undefined),
  load(id) {
    if (id !== VENDOR_ENTRY) return undefined;
    return Object.entries(vendorModules)
      .map(([from, as]) => `export * as ${as} from '${from}';`)
      .join('\n');
  },
};
/**
 * Ink's React Devtools hook-up (DEV=true) left out of that file: it is Ink's developer feature,
 * needs react-devtools-core (not a dependency of this product: an operator with DEV=true in
 * the environment got a warning across the screen), and it is the only top-level await in Ink,
 * which a CommonJS file cannot have. If Ink changes these lines, the build fails instead.
 */
const INK_BUILD = /[\\/]node_modules[\\/]ink[\\/]build[\\/]/;
const inkWithoutDevtools = {
  name: 'ink-without-devtools',
  transform(code, id) {
    if (!INK_BUILD.test(id)) return undefined;
    const edits = {
      'utils.js': [
        ["const isDev = () => process.env['DEV'] === 'true';", 'const isDev = () => false;'],
      ],
      'reconciler.js': [
        ["await import('./devtools.js');", 'void 0;'],
        ['? await loadPackageJson()', '? undefined'],
      ],
    }[id.replace(/.*[\\/]/, '')];
    if (!edits) return undefined;
    let out = code;
    for (const [from, to] of edits) {
      if (!out.includes(from)) throw new Error(`${id}: no "${from}" to replace (Ink changed)`);
      out = out.replace(from, to);
    }
    return { code: out, map: null };
  },
};
/**
 * Ink's text libraries without ICU for plain text (src/vendor/narrow-text.ts): each of them gets
 * a grapheme segmenter that answers for text of one-unit graphemes itself, and string-width
 * knows the width of narrow text without segmenting it. Any other text goes through Intl as
 * before. If a library changes the lines replaced here, the build fails instead.
 */
const NARROW_TEXT = `${root}src/vendor/narrow-text.ts`;
const narrowTextEdits = [
  [
    /[\\/]node_modules[\\/]string-width[\\/]index\.js$/,
    [
      ['const segmenter = new Intl.Segmenter();', 'const segmenter = graphemeSegmenter();'],
      [
        'if (/^[\\u0020-\\u007E]*$/.test(string)) {',
        'if (/^[\\u0020-\\u007E]*$/.test(string) || (ambiguousIsNarrow && isNarrowText(string))) {',
      ],
    ],
  ],
  [
    /[\\/]node_modules[\\/]slice-ansi[\\/]tokenize-ansi\.js$/,
    [
      [
        "const GRAPHEME_SEGMENTER = new Intl.Segmenter(undefined, {granularity: 'grapheme'});",
        'const GRAPHEME_SEGMENTER = graphemeSegmenter();',
      ],
    ],
  ],
  [
    /[\\/]node_modules[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
    [
      [
        'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });',
        'const segmenter = graphemeSegmenter();',
      ],
    ],
  ],
];
/**
 * A module's regular expressions with Unicode property escapes (\\p{RGI_Emoji}: V8 builds the set
 * of every emoji sequence from ICU's data when the literal is evaluated, at the module's load),
 * made when first used: `const re = /…/;` becomes a function returning the one expression, and
 * each use of `re` a call of it. Each declaration keeps its line.
 */
function lazyPropertyRegExps(code) {
  const declared = [...code.matchAll(/^const (\w+) = (\/.*\\p\{.*\/[a-z]*);$/gm)];
  let out = code;
  for (const [line, name, literal] of declared) {
    out = out
      .replace(new RegExp(`\\b${name}\\b`, 'g'), `${name}()`)
      .replace(
        `const ${name}() = ${literal};`,
        `let ${name}$; const ${name} = () => (${name}$ ??= ${literal});`,
      );
    if (!out.includes(`const ${name} = () =>`)) throw new Error(`could not make ${line} lazy`);
  }
  return out;
}
const inkTextWithoutIcu = {
  name: 'ink-text-without-icu',
  transform(code, id) {
    const found = narrowTextEdits.find(([file]) => file.test(id));
    if (!found) return undefined;
    let out = lazyPropertyRegExps(code);
    for (const [from, to] of found[1]) {
      if (!out.includes(from))
        throw new Error(`${id}: no "${from}" to replace (the library changed)`);
      out = out.replace(from, to);
    }
    // On the first line, beside the module's own: the lines below keep their positions.
    const use = `import { graphemeSegmenter, isNarrowText } from ${JSON.stringify(NARROW_TEXT)};`;
    return { code: `${use}${out}`, map: null };
  },
};
const require = createRequire(import.meta.url);
/** Each vendored module's export names, read from the module itself: the facades list them. */
const vendorExports = {
  ink: Object.keys(await import('ink')),
  react: Object.keys(require('react')),
  'react/jsx-runtime': Object.keys(require('react/jsx-runtime')),
};
const vendorFacades = {
  name: 'tui-vendor-facades',
  resolveId(source) {
    if (source === VENDOR_LOAD) return VENDOR_LOAD;
    return Object.hasOwn(vendorModules, source) ? `\0tui-vendor:${source}` : undefined;
  },
  load(id) {
    if (id === VENDOR_LOAD)
      // The file's require('yoga-layout') is read the way Node reads a CommonJS module's
      // exports from an ES module: its default import is the whole object, Ink's Yoga.
      return `import Yoga from 'yoga-layout';
import { loadVendor } from ${JSON.stringify(`${root}src/adapters/tui-vendor.ts`)};
export default loadVendor(new URL('./${VENDOR_FILE}', import.meta.url), Yoga);
`;
    if (!id.startsWith('\0tui-vendor:')) return undefined;
    const source = id.slice('\0tui-vendor:'.length);
    const as = vendorModules[source];
    const names = vendorExports[source].filter((n) => n !== 'default');
    const hasDefault = source === 'react';
    return `import vendor from '${VENDOR_LOAD}';
const m = vendor.${as};
export const { ${names.join(', ')} } = m;
${hasDefault ? 'export default m.default ?? m;' : ''}
`;
  },
};

await build({
  cwd: root,
  input: { 'tui-vendor': VENDOR_ENTRY },
  platform: 'node',
  plugins: [
    vendorEntry,
    inkWithoutDevtools,
    inkTextWithoutIcu,
    wrapWithInksStringWidth,
    inkOutputCachesKept,
  ],
  external: ['yoga-layout', 'react-devtools-core'],
  resolve: { alias: { 'es-toolkit/compat': `${root}src/vendor/es-toolkit-compat.ts` } },
  transform: { define: { 'process.env.NODE_ENV': '"production"' } },
  output: {
    dir: out,
    format: 'cjs',
    sourcemap: true,
    entryFileNames: VENDOR_FILE,
    codeSplitting: false,
  },
});

await build({
  cwd: root,
  input: {
    main: 'src/cli/main.ts',
    // Spawned as its own process by src/sandbox/up.ts, found next to the chunk that starts it.
    'supervisor-main': 'src/sandbox/supervisor-main.ts',
  },
  platform: 'node',
  plugins: [yogaWithoutFetch, zodJitless, vendorFacades],
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
