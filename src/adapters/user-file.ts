import { closeSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../domain/errors.js';

/**
 * Reads a file a person named (a runbook, a profile, an answers file). Every way it can be
 * wrong is that person's mistake, so it is a one-line usage error naming the file, never an
 * EISDIR or EACCES stack trace.
 */
/**
 * The largest runbook, profile or answers file read. Real ones are a few KiB; a path such as
 * /dev/zero or /dev/urandom (or a runaway generator behind `<(…)`) would otherwise be read until
 * memory runs out. A pipe is still fine: it is read to its end, within the cap.
 */
export const MAX_USER_FILE_BYTES = 4 * 1024 * 1024;

/** The file's text, at most MAX_USER_FILE_BYTES of it (FileTooLarge past that). */
export function readCapped(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_USER_FILE_BYTES) throw new FileTooLarge();
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export class FileTooLarge extends Error {}

export function readUserFile(path: string, what: string): string {
  try {
    return readCapped(path);
  } catch (err) {
    if (err instanceof FileTooLarge)
      throw new UsageError(
        `${what}: ${path} is larger than ${MAX_USER_FILE_BYTES / 1024 / 1024} MiB: not a runbook, profile or answers file`,
      );
    const code = (err as NodeJS.ErrnoException).code;
    switch (code ?? '') {
      case 'ENOENT':
        throw new UsageError(`${what}: no file ${path}`);
      case 'EISDIR':
        throw new UsageError(`${what}: ${path} is a directory, not a file`, [
          `give the path of a YAML file inside it`,
        ]);
      case 'EACCES':
      case 'EPERM':
        throw new UsageError(`${what}: ${path} is not readable (permission denied)`);
      default:
        throw new UsageError(`${what}: cannot read ${path} (${code ?? String(err)})`);
    }
  }
}
