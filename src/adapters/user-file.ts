import { readFileSync } from 'node:fs';
import { UsageError } from '../domain/errors.js';

/**
 * Reads a file a person named (a runbook, a profile, an answers file). Every way it can be
 * wrong is that person's mistake, so it is a one-line usage error naming the file, never an
 * EISDIR or EACCES stack trace.
 */
export function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
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
