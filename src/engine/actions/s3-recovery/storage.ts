import type { ObjectVersion } from '../../aws.js';
import type { Mount } from '../../vault.js';

/**
 * Where a secret lives in the S3 bucket (DESIGN §8): `<mount>/<path>` is stored encrypted at
 * `logical/<mount-uuid>/<path>`. Pure, so the mapping is tested without Vault or S3.
 */
export interface StorageTarget {
  /** The S3 object key. */
  readonly key: string;
  /** The mount it falls under, when known (a raw key of an unknown mount has none). */
  readonly mount?: Mount;
  /** The path below the mount (KV API path), when the key maps to one. */
  readonly secretPath?: string;
  /** 1 or 2 for a KV mount, 0 when not a KV secret (a raw storage key of something else). */
  readonly kv: 0 | 1 | 2;
}

const RAW = /^(logical|core|sys|auth)\//;

export function kvVersionOf(m: Mount): 0 | 1 | 2 {
  if (m.type !== 'kv' && m.type !== 'generic') return 0;
  return m.version === '2' ? 2 : 1;
}

/** A secret path (`kv1/app`) or a raw storage key (`logical/<uuid>/app`, `core/keyring`). */
export function resolveStorageTarget(
  input: string,
  mounts: readonly Mount[],
): StorageTarget | { readonly error: string } {
  const path = input.trim().replace(/^\/+/, '');
  if (!path || path.includes('..') || path.endsWith('/'))
    return { error: `'${input}' is not a secret path or a storage key` };
  if (RAW.test(path)) {
    const m = /^logical\/([^/]+)\/(.+)$/.exec(path);
    const mount = m ? mounts.find((x) => x.uuid === m[1]) : undefined;
    if (!mount || !m?.[2]) return { key: path, kv: 0 };
    const kv = kvVersionOf(mount);
    return kv === 1 ? { key: path, mount, secretPath: m[2], kv } : { key: path, mount, kv: 0 };
  }
  // The longest mount path that prefixes the input, as Vault routes it.
  const mount = [...mounts]
    .sort((a, b) => b.path.length - a.path.length)
    .find((x) => path.startsWith(x.path));
  if (!mount)
    return {
      error: `no mount holds '${path}' (mounts: ${mounts.map((m) => m.path).join(', ') || 'none'})`,
    };
  const below = path.slice(mount.path.length);
  // `vault kv` style (kv2/app) and API style (kv2/data/app) name the same KV v2 secret.
  const secretPath = kvVersionOf(mount) === 2 ? below.replace(/^(data|metadata)\//, '') : below;
  if (!secretPath) return { error: `'${path}' is a mount, not a secret in it` };
  const kv = kvVersionOf(mount);
  if (kv === 0)
    return { error: `${mount.path} is a '${mount.type}' mount: give the raw storage key instead` };
  return { key: `logical/${mount.uuid}/${secretPath}`, mount, secretPath, kv };
}

/** The versions of one key, newest first, as S3 lists them. */
export function versionsOfKey(all: readonly ObjectVersion[], key: string): ObjectVersion[] {
  return all
    .filter((v) => v.key === key)
    .sort((a, b) =>
      a.isLatest !== b.isLatest
        ? a.isLatest
          ? -1
          : 1
        : b.lastModified.localeCompare(a.lastModified),
    );
}

/** One line per version for people: time, size, latest, delete marker. */
export function versionLabel(v: ObjectVersion): string {
  return `${v.lastModified}  ${v.deleteMarker ? 'delete marker' : `${v.size} B`}${v.isLatest ? '  (latest)' : ''}  ${v.versionId}`;
}

/** The newest version of every key under a prefix: key → versionId (delete markers too). */
export function latestByKey(all: readonly ObjectVersion[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of all) if (v.isLatest) out[v.key] = v.versionId;
  return out;
}

export interface LatestDiff {
  readonly unchanged: number;
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** What changed between two latest-version maps (keys only). */
export function diffLatest(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): LatestDiff {
  const changed: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  for (const [k, v] of Object.entries(before)) {
    const now = after[k];
    if (now === undefined) removed.push(k);
    else if (now === v) unchanged++;
    else changed.push(k);
  }
  const added = Object.keys(after).filter((k) => !(k in before));
  return { unchanged, changed: changed.sort(), added: added.sort(), removed: removed.sort() };
}

/** Seconds with one decimal, for people. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
