import {
  copyFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCommonJs, type CodeCacheOptions, type Loaded } from './code-cache.js';

function fixture(): { file: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'vr-code-cache-'));
  const file = join(root, 'lib.cjs');
  // Enough functions that a cache carries something; a require of an external and of a builtin.
  writeFileSync(
    file,
    `const path = require('node:path');
const dep = require('the-external');
function square(n) { return n * n; }
exports.answer = dep.base + square(3);
exports.sep = path.sep;
exports.file = __filename;
`,
  );
  return { file, dir: join(root, 'cache') };
}

const EXTERNALS = { 'the-external': { base: 33 } };

/**
 * Loads the file and waits for the cache it makes (if any). Each load runs a copy of the file from
 * a directory of its own: V8 keeps what it compiled in this process by source and file name, and
 * would hand the same script back without ever reading a cache. Another name defeats that, as a
 * new process does; the cache is named by the file's name and content, so it is the same one.
 */
async function load(
  original: string,
  opts: CodeCacheOptions,
): Promise<Loaded & { wrote: boolean }> {
  const file = join(mkdtempSync(join(tmpdir(), 'vr-code-cache-run-')), basename(original));
  copyFileSync(original, file);
  let settle: (wrote: boolean) => void = () => undefined;
  const written = new Promise<boolean>((r) => (settle = r));
  const loaded = loadCommonJs(file, EXTERNALS, {
    ...opts,
    writeAfterMs: 0,
    onWritten: () => settle(true),
    onWriteFailure: () => settle(false),
  });
  const wrote =
    loaded.cache === 'used' || loaded.cache === 'off'
      ? false
      : await Promise.race([
          written,
          new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
        ]);
  return { ...loaded, wrote };
}

describe('loadCommonJs (V8 code cache)', () => {
  it('Given no cache yet, When the file is loaded twice, Then the first run makes the cache and the second runs from it, with the same exports', async () => {
    const { file, dir } = fixture();
    const first = await load(file, { dir });
    expect(first).toMatchObject({ cache: 'none', wrote: true });
    expect(first.exports).toMatchObject({ answer: 42, sep: '/' });
    expect((first.exports as { file: string }).file).toMatch(/\/lib\.cjs$/);
    const second = await load(file, { dir });
    expect(second).toMatchObject({ cache: 'used', wrote: false });
    expect(second.exports).toMatchObject({ answer: 42, sep: '/' });
  });

  it('Given a cache of other bytes under the right name, When loaded, Then V8 refuses it, the file runs from source and a good cache replaces it', async () => {
    const { file, dir } = fixture();
    await load(file, { dir });
    const [name] = readdirSync(dir);
    writeFileSync(join(dir, name!), Buffer.alloc(4096, 7), { mode: 0o600 });
    const loaded = await load(file, { dir });
    expect(loaded).toMatchObject({ cache: 'rejected', wrote: true });
    expect(loaded.exports).toMatchObject({ answer: 42 });
    expect((await load(file, { dir })).cache).toBe('used');
  });

  it('Given a changed file, When loaded, Then it never meets the old cache; the caches of the three builds before it stay, older ones are removed', async () => {
    const { file, dir } = fixture();
    await load(file, { dir });
    const [oldest] = readdirSync(dir);
    for (let build = 43; build <= 46; build++) {
      await new Promise((r) => setTimeout(r, 20)); // distinct write times
      writeFileSync(file, `exports.answer = ${build};\n`);
      const loaded = await load(file, { dir });
      expect(loaded).toMatchObject({ cache: 'none', wrote: true, exports: { answer: build } });
    }
    const kept = readdirSync(dir);
    expect(kept).toHaveLength(4);
    expect(kept).not.toContain(oldest);
  });

  it('Given a cache directory others can write, When loaded, Then its cache is neither read nor written', async () => {
    const { file, dir } = fixture();
    await load(file, { dir });
    chmodSync(dir, 0o777);
    const loaded = await load(file, { dir });
    expect(loaded).toMatchObject({ cache: 'none', wrote: false, exports: { answer: 42 } });
  });

  it('Given a cache file others can write, or a symlink in its place, When loaded, Then it is not read', async () => {
    const { file, dir } = fixture();
    await load(file, { dir });
    const [name] = readdirSync(dir);
    chmodSync(join(dir, name!), 0o666);
    expect((await load(file, { dir: dir })).cache).toBe('none');

    const other = fixture();
    await load(other.file, { dir: other.dir });
    const [good] = readdirSync(other.dir);
    const target = join(other.dir, 'elsewhere.bin');
    mkdirSync(join(other.dir, 'x'));
    writeFileSync(target, Buffer.alloc(16));
    const { renameSync } = await import('node:fs');
    renameSync(join(other.dir, good!), join(other.dir, 'x', good!));
    symlinkSync(join(other.dir, 'x', good!), join(other.dir, good!));
    expect((await load(other.file, { dir: other.dir })).cache).toBe('none');
  });

  it('Given no cache directory, When loaded, Then it runs from source and writes nothing', async () => {
    const { file } = fixture();
    expect(await load(file, {})).toMatchObject({
      cache: 'off',
      wrote: false,
      exports: { answer: 42 },
    });
  });
});
