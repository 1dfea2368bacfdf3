import type { Secret } from '../domain/secret.js';
import type { KvPath, KvVersionInfo, VaultNode, VaultPort } from './vault.js';

/**
 * Soft-deleted now. With `delete_version_after` set on the mount Vault fills `deletion_time`
 * with a future time on every version: that one is still readable.
 */
export function isDeleted(v: KvVersionInfo, now: Date): boolean {
  return !v.destroyed && v.deletionTime !== '' && Date.parse(v.deletionTime) <= now.getTime();
}

/**
 * KV v2 rollback, as `vault kv rollback` does it: the old version's data written again as a new
 * version, with check-and-set on the version read, so a write that came in between is not
 * overwritten silently (DESIGN §8: prefer this to an S3 restore when it applies).
 */
export async function kvRollback(
  vault: VaultPort,
  node: VaultNode,
  token: Secret,
  at: Omit<KvPath, 'kv'>,
  version: number,
  signal: AbortSignal,
  now: Date,
): Promise<{ from: number; to: number; version: number }> {
  const meta = await vault.kvMetadata(node, token, at, signal);
  if (!meta) throw new Error(`${at.mount}/${at.path}: no such secret`);
  const v = meta.versions.find((x) => x.version === version);
  if (!v) throw new Error(`${at.mount}/${at.path}: no version ${version}`);
  if (v.destroyed || isDeleted(v, now))
    throw new Error(`${at.mount}/${at.path}: version ${version} is deleted or destroyed`);
  const old = await vault.kvRead(node, token, { ...at, kv: 2 }, signal, version);
  if (!old) throw new Error(`${at.mount}/${at.path}: version ${version} cannot be read`);
  const w = await vault.kvWrite(
    node,
    token,
    { ...at, kv: 2 },
    old.data,
    signal,
    meta.currentVersion,
  );
  return { from: meta.currentVersion, to: version, version: w.version ?? meta.currentVersion + 1 };
}
