import { randomBytes } from 'node:crypto';
import { access, link, mkdir, open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errorMessage } from '../domain/errors.js';
import type { FilesPort } from '../engine/ports.js';

/** Writes the whole buffer; a test swaps it for one that fails half-way. */
export type WriteAll = (handle: FileHandle, data: Uint8Array) => Promise<void>;

const writeAll: WriteAll = async (handle, data) => {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await handle.write(data, off, data.length - off);
    off += bytesWritten;
  }
};

async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** The local filesystem; relative paths are taken from the working directory. */
export class LocalFiles implements FilesPort {
  readonly #writeAll: WriteAll;
  constructor(opts: { writeAll?: WriteAll } = {}) {
    this.#writeAll = opts.writeAll ?? writeAll;
  }
  async read(path: string, signal: AbortSignal): Promise<Uint8Array> {
    return new Uint8Array(await readFile(resolve(path), { signal }));
  }
  async exists(path: string): Promise<boolean> {
    return access(resolve(path)).then(
      () => true,
      () => false,
    );
  }
  /**
   * The share or token reaches its final name whole or not at all: it is written and fsync'd
   * under a temporary name in the same directory, then hard-linked to the final name. link()
   * fails when the name exists, so the no-overwrite rule stays atomic too; a crash leaves at
   * most a temporary file, never a truncated share that would block the next attempt forever.
   */
  async writeNew(path: string, data: string | Uint8Array, signal: AbortSignal): Promise<string> {
    const full = resolve(path);
    const dir = dirname(full);
    signal.throwIfAborted();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (await this.exists(full)) throw exists(full);
    const tmp = join(dir, `.${basename(full)}.${randomBytes(6).toString('hex')}.tmp`);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const handle = await open(tmp, 'wx', 0o600);
    let failure: Error | undefined;
    try {
      try {
        await this.#writeAll(handle, bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      signal.throwIfAborted();
      await link(tmp, full);
    } catch (err) {
      failure =
        (err as NodeJS.ErrnoException).code === 'EEXIST'
          ? exists(full)
          : err instanceof Error
            ? err
            : new Error(errorMessage(err));
    }
    // Linked or not, the temporary name goes: the final name holds the whole file, or nothing.
    const left = await unlink(tmp).then(
      () => '',
      (err: unknown) =>
        `; the temporary file ${tmp} could not be removed (${errorMessage(err)}): delete it by hand`,
    );
    if (failure !== undefined) {
      if (!left) throw failure;
      throw new Error(`${failure.message}${left}`, { cause: failure });
    }
    if (left) throw new Error(`${full} was written whole${left}`);
    await fsyncDir(dir);
    return full;
  }
}

function exists(full: string): Error {
  return new Error(`${full} already exists: move it away first (it is never overwritten)`);
}
