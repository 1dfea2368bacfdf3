import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FilesPort } from '../engine/ports.js';

/** The local filesystem; relative paths are taken from the working directory. */
export class LocalFiles implements FilesPort {
  async read(path: string, signal: AbortSignal): Promise<Uint8Array> {
    return new Uint8Array(await readFile(resolve(path), { signal }));
  }
  async exists(path: string): Promise<boolean> {
    return access(resolve(path)).then(
      () => true,
      () => false,
    );
  }
  async writeNew(path: string, data: string | Uint8Array, signal: AbortSignal): Promise<string> {
    const full = resolve(path);
    await mkdir(dirname(full), { recursive: true, mode: 0o700 });
    try {
      await writeFile(full, data, { mode: 0o600, flag: 'wx', signal });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new Error(`${full} already exists: move it away first (it is never overwritten)`);
      throw err;
    }
    return full;
  }
}
