import type { NodeStatus } from './cluster.js';

/**
 * Pure comparisons behind the region failover and failback runbooks: what the DR bucket lacks,
 * what the primary holds that never replicated, and what must change so the primary bucket's
 * current state is exactly DR's. S3 cross-region replication is asynchronous and not atomic
 * across objects (DESIGN §8), so each key is judged on its own.
 */

export interface BucketVersion {
  readonly key: string;
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly lastModified: string;
  readonly etag?: string;
  readonly deleteMarker: boolean;
}

/** A key's current state: its latest live version, or none (absent or deleted). */
interface Current {
  readonly live?: BucketVersion;
  readonly deleted: boolean;
}

function currents(vs: readonly BucketVersion[]): Map<string, Current> {
  const out = new Map<string, Current>();
  for (const v of vs) {
    if (!v.isLatest) continue;
    out.set(v.key, v.deleteMarker ? { deleted: true } : { live: v, deleted: false });
  }
  return out;
}

/**
 * Two versions hold the same write: the same version id (S3 CRR keeps it) or the same ETag
 * (a replica's content is byte-identical; Vault encrypts every write with a fresh nonce, so two
 * different writes never share one).
 */
export function sameWrite(a: BucketVersion, b: BucketVersion): boolean {
  if (a.versionId !== 'null' && a.versionId === b.versionId) return true;
  return a.etag !== undefined && a.etag === b.etag;
}

export interface ReplicationGap {
  readonly key: string;
  /** The primary's current version id, or `deleted`. */
  readonly primaryVersion: string;
  /** The DR bucket's current version id, `missing` or `deleted`. */
  readonly drVersion: string;
  readonly primaryModified?: string;
}

/** Keys whose current state differs between the primary and DR buckets (what DR lacks). */
export function replicationGaps(
  primary: readonly BucketVersion[],
  dr: readonly BucketVersion[],
): ReplicationGap[] {
  const p = currents(primary);
  const d = currents(dr);
  const out: ReplicationGap[] = [];
  for (const [key, pc] of p) {
    const dc = d.get(key);
    if (!pc.live) {
      if (dc?.live) out.push({ key, primaryVersion: 'deleted', drVersion: dc.live.versionId });
      continue;
    }
    if (dc?.live && sameWrite(pc.live, dc.live)) continue;
    out.push({
      key,
      primaryVersion: pc.live.versionId,
      drVersion: dc?.live ? dc.live.versionId : dc?.deleted ? 'deleted' : 'missing',
      primaryModified: pc.live.lastModified,
    });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** The newest version (or delete marker) of a bucket, for "DR holds data up to …". */
export function newestVersion(vs: readonly BucketVersion[]): BucketVersion | undefined {
  let best: BucketVersion | undefined;
  for (const v of vs) if (!best || v.lastModified > best.lastModified) best = v;
  return best;
}

export interface LostWrite {
  readonly key: string;
  /** The primary's current version, never replicated to DR. */
  readonly primaryVersion: string;
  readonly primaryModified: string;
  /** What DR holds for the key now: a version id, `missing` or `deleted`. */
  readonly drNow: string;
}

export interface FailbackChange {
  readonly key: string;
  /** copy: DR's current version onto the primary; retire: a delete marker on the primary. */
  readonly op: 'copy' | 'retire';
  readonly drVersion?: string;
  readonly primaryVersion?: string;
}

export interface FailbackPlan {
  /** Writes the primary took that never reached DR: superseded by what DR served since. */
  readonly lost: readonly LostWrite[];
  /** What makes the primary's current state exactly DR's (history kept). */
  readonly changes: readonly FailbackChange[];
}

export function failbackPlan(
  primary: readonly BucketVersion[],
  dr: readonly BucketVersion[],
): FailbackPlan {
  const p = currents(primary);
  const d = currents(dr);
  const drAll = new Map<string, BucketVersion[]>();
  for (const v of dr) if (!v.deleteMarker) drAll.set(v.key, [...(drAll.get(v.key) ?? []), v]);
  const lost: LostWrite[] = [];
  const changes: FailbackChange[] = [];
  for (const key of [...new Set([...p.keys(), ...d.keys()])].sort()) {
    const pc = p.get(key);
    const dc = d.get(key);
    const pLive = pc?.live;
    const dLive = dc?.live;
    if (pLive && !(drAll.get(key) ?? []).some((v) => sameWrite(v, pLive)))
      lost.push({
        key,
        primaryVersion: pLive.versionId,
        primaryModified: pLive.lastModified,
        drNow: dLive ? dLive.versionId : dc?.deleted ? 'deleted' : 'missing',
      });
    if (dLive) {
      if (!pLive || !sameWrite(pLive, dLive))
        changes.push({
          key,
          op: 'copy',
          drVersion: dLive.versionId,
          ...(pLive ? { primaryVersion: pLive.versionId } : {}),
        });
    } else if (pLive) changes.push({ key, op: 'retire', primaryVersion: pLive.versionId });
  }
  return { lost, changes };
}

/**
 * The automated part of a failover: declaration → DR serving, minus the time people spent
 * answering prompts (entering shares, ticking the fencing checklist).
 */
export function automatedSeconds(
  declaredAt: string,
  servingAt: string,
  humanMs: readonly number[],
): { total: number; human: number; automated: number } {
  const total = Math.max(0, Date.parse(servingAt) - Date.parse(declaredAt));
  const human = humanMs.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const sec = (ms: number): number => Math.round(ms / 100) / 10;
  return { total: sec(total), human: sec(human), automated: sec(Math.max(0, total - human)) };
}

/** What status adds for a two-region cluster: where DNS points, and the DR nodes. */
export interface FailoverStatus {
  readonly dns?: {
    readonly record: string;
    readonly values: readonly string[];
    /** primary / dr when a value is the profile's primary_value / dr_value. */
    readonly region: 'primary' | 'dr' | 'unknown';
    readonly error?: string;
  };
  /** Each DR node as the status collects a primary node (seal state, version, HA role). */
  readonly drNodes?: readonly NodeStatus[];
  /** Who holds the DR region's HA lock (its own table), as an unsealed DR node says. */
  readonly drLeader?: string;
  /**
   * The primary's ASG still wants instances while the DNS record names DR: a failover that
   * could not scale it to 0 (its APIs were down), then the region came back. Its nodes boot
   * sealed on the primary's old data; region-failback scales it to 0 before anything else.
   */
  readonly primaryAsgWhileDr?: { readonly asg: string; readonly desired: number };
}
