import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

// The TUI's libraries (React's reconciler, Ink, their helpers: ≈ 0.9 MB of JavaScript) loaded
// with V8's code cache. Node 20 compiles every ES module from its source on every start, and
// V8 compiles each function again the first time it runs: for the TUI that was a third of its
// first frame. A CommonJS file run through vm.Script can be given the bytecode V8 made for it
// on an earlier start instead (`cachedData`); V8 checks that the cache was made by the same V8
// with the same flags for a source of the same length and ignores it otherwise. Node 22 does
// the same for every module (module.enableCompileCache); this is that, for one file, on Node 20.

/** The cache is made this long after the file ran: by then the first frames have compiled the
 * functions a start needs, and the cache carries their bytecode too. */
const WRITE_AFTER_MS = 3000;
/** Caches of other builds of the same file kept besides the current one. */
const KEEP_OTHER_BUILDS = 3;
/** A cache file larger than this is not ours (the TUI's is ≈ 0.4 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

export interface CodeCacheOptions {
  /** Where caches are kept; none: the file is compiled from source every time. */
  readonly dir?: string | undefined;
  /** Called when the cache could not be written (the reason; nothing else happens). */
  readonly onWriteFailure?: (reason: string) => void;
  /** Called once a new cache is in place. */
  readonly onWritten?: (path: string) => void;
  /** How long after the run the cache is made (default: WRITE_AFTER_MS). */
  readonly writeAfterMs?: number;
}

/** What became of the cache: run from it, or compiled from source (and why). */
export type CacheUse = 'used' | 'none' | 'rejected' | 'off';

export interface Loaded {
  readonly exports: unknown;
  readonly cache: CacheUse;
}

/**
 * Runs a CommonJS file and returns its exports. `externals` answers the file's require() of
 * those ids (modules the caller has loaded its own way); any other id is required from the
 * file's directory.
 */
export function loadCommonJs(
  file: string,
  externals: Readonly<Record<string, unknown>>,
  opts: CodeCacheOptions = {},
): Loaded {
  const source = readFileSync(file, 'utf8');
  // The same wrapper as Node's own for a CommonJS module, on the file's first line.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const cachePath = opts.dir ? join(opts.dir, cacheName(file, source)) : undefined;
  const cached = cachePath ? readOwnFile(cachePath) : undefined;
  const script = new Script(wrapped, {
    filename: file,
    ...(cached ? { cachedData: cached } : {}),
  });
  const module = { exports: {} as unknown };
  const requireFromFile = createRequire(file);
  const require = (id: string): unknown =>
    Object.hasOwn(externals, id) ? externals[id] : requireFromFile(id);
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    require,
    module,
    file,
    dirname(file),
  );
  const cache: CacheUse = !cachePath
    ? 'off'
    : !cached
      ? 'none'
      : script.cachedDataRejected === true
        ? 'rejected'
        : 'used';
  if (opts.dir && cachePath && cache !== 'used') {
    const dir = opts.dir;
    setTimeout(() => {
      try {
        writeCache(dir, cachePath, script.createCachedData(), basename(file));
        opts.onWritten?.(cachePath);
      } catch (err) {
        opts.onWriteFailure?.(err instanceof Error ? err.message : String(err));
      }
    }, opts.writeAfterMs ?? WRITE_AFTER_MS).unref();
  }
  return { exports: module.exports, cache };
}

/** One name per file content, Node and CPU: a rebuilt file never meets an old cache. */
function cacheName(file: string, source: string): string {
  const hash = createHash('sha256')
    .update(`${process.version} ${process.arch}\n`)
    .update(source)
    .digest('hex')
    .slice(0, 32);
  return `${basename(file)}-${hash}.v8`;
}

/**
 * A cache is code this process will run: it is read only from a directory and a file that
 * belong to this user and that nobody else can write, and never through a symlink.
 */
function readOwnFile(path: string): Buffer | undefined {
  if (!ownedAndPrivate(dirname(path), true)) return undefined;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined; // no cache yet (or not a plain file): compile from source
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !isOwnAndPrivate(st) || st.size > MAX_CACHE_BYTES) return undefined;
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function ownedAndPrivate(path: string, directory: boolean): boolean {
  try {
    const st = lstatSync(path);
    return (directory ? st.isDirectory() : st.isFile()) && isOwnAndPrivate(st);
  } catch {
    return false;
  }
}

function isOwnAndPrivate(st: { uid: number; mode: number }): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/** Written whole or not at all (a new file renamed over the old), then the oldest caches removed. */
function writeCache(dir: string, path: string, data: Buffer, prefix: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!ownedAndPrivate(dir, true))
    throw new Error(`${dir} is not a private directory of this user`);
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  // Other builds' caches (another checkout, the version before an upgrade) stay, a few of them:
  // the most recently written.
  const others = readdirSync(dir)
    .filter((n) => n !== basename(path) && n.startsWith(`${prefix}-`) && n.endsWith('.v8'))
    .map((n) => ({ n, mtime: statSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { n } of others.slice(KEEP_OTHER_BUILDS)) rmSync(join(dir, n), { force: true });
}
