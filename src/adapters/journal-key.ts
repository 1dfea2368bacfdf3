import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../domain/errors.js';
import { configDir } from './paths.js';

/**
 * The per-user key that MACs each journal record. It lives in the config directory, not beside
 * the journals in the state directory: whoever can rewrite a journal and recompute its SHA-256
 * chain still cannot recompute the MACs without this file.
 */
export interface JournalKey {
  /** Names the key in each record, so a verify with another user's key says so plainly. */
  readonly id: string;
  readonly path: string;
  mac(hash: string): string;
}

export function journalKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'journal.key');
}

function fromHex(path: string, hex: string): JournalKey {
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new UsageError(`journal key ${path} is not 64 hex digits: it was damaged`, [
      'restore it from a backup; journals written with it cannot be verified without it',
    ]);
  const key = Buffer.from(hex, 'hex');
  return {
    id: createHash('sha256').update(key).digest('hex').slice(0, 16),
    path,
    mac: (hash) => createHmac('sha256', key).update(hash).digest('hex'),
  };
}

function read(path: string): JournalKey {
  const st = statSync(path);
  if ((st.mode & 0o077) !== 0)
    throw new UsageError(
      `journal key ${path} can be read by others (mode ${(st.mode & 0o777).toString(8)})`,
      [`chmod 600 ${path}`],
    );
  return fromHex(path, readFileSync(path, 'utf8').trim());
}

/** This user's key; `create` makes one (0600, in a 0700 directory) the first time a run needs it. */
export function loadJournalKey(
  env: NodeJS.ProcessEnv = process.env,
  opts: { create: boolean } = { create: false },
): JournalKey | undefined {
  const path = journalKeyPath(env);
  try {
    return read(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!opts.create) return undefined;
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another run made it at the same moment: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return read(path);
}
