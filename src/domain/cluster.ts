import type { FailoverStatus } from './failover.js';
import type { HaRole } from './health.js';

/** The live status of a cluster, as the status pane and `status --json` show it. */
export interface NodeStatus {
  readonly name: string;
  readonly address: string;
  readonly region?: string;
  readonly instanceId?: string;
  readonly az?: string;
  readonly ami?: string;
  readonly version?: string;
  readonly initialized?: boolean;
  readonly sealed?: boolean;
  readonly progress?: {
    readonly t: number;
    readonly n: number;
    readonly progress: number;
    readonly nonce: string;
  };
  readonly role: HaRole;
  readonly healthCode?: number;
  readonly health: string;
  readonly reachable: boolean;
  readonly error?: string;
}

export interface RegionStatus {
  readonly name: string;
  readonly region: string;
  readonly asg?: {
    readonly name: string;
    readonly desired: number;
    readonly inService: number;
    readonly error?: string;
  };
  readonly dataBucket?: string;
}

export interface ClusterStatus {
  readonly profile: string;
  readonly updatedAt: string;
  /** Set when the profile's override allowed http:// or unverified TLS: shown on every status. */
  readonly insecure?: string;
  readonly nodes: readonly NodeStatus[];
  readonly regions: readonly RegionStatus[];
  /** Who holds the HA lock, as sys/leader reports it from an unsealed node. */
  readonly haLockHolder?: string;
  readonly replication?: {
    readonly lagSeconds: number;
    readonly pendingObjects: number;
    /**
     * Set when a bucket held more keys than a listing reads (this many): the counts are then
     * what the keys read show, a lower bound, and nothing is known beyond them.
     */
    readonly cappedAt?: number;
    readonly error?: string;
  };
  /** Where the Route 53 record points and the DR nodes (src/engine/failover-status.ts). */
  readonly failover?: FailoverStatus;
  readonly summary: {
    readonly sealed: number;
    readonly unsealed: number;
    readonly uninitialized: number;
    readonly unreachable: number;
  };
}

export interface LatestVersion {
  readonly key: string;
  readonly lastModified: string;
  readonly etag?: string;
}

/**
 * Replication lag from two listings: objects whose newest primary version is not yet in the
 * DR bucket, and how long the oldest of them has waited. CRR is asynchronous and not atomic
 * across objects, so this is what "the DR bucket is behind" means for an operator.
 */
export function replicationLag(
  primary: readonly LatestVersion[],
  dr: readonly LatestVersion[],
  now: Date,
): { lagSeconds: number; pendingObjects: number } {
  const drByKey = new Map(dr.map((v) => [v.key, v]));
  let oldest: number | undefined;
  let pending = 0;
  for (const p of primary) {
    const d = drByKey.get(p.key);
    const replicated =
      d !== undefined &&
      (p.etag !== undefined && d.etag !== undefined
        ? p.etag === d.etag
        : Date.parse(d.lastModified) >= Date.parse(p.lastModified));
    if (replicated) continue;
    pending++;
    const t = Date.parse(p.lastModified);
    if (oldest === undefined || t < oldest) oldest = t;
  }
  return {
    lagSeconds: oldest === undefined ? 0 : Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
    pendingObjects: pending,
  };
}

/** A listing of current objects in key order, stopped at a cap when `truncated`. */
export interface CurrentListing {
  readonly objects: readonly LatestVersion[];
  readonly truncated: boolean;
}

/**
 * `replicationLag` over listings that may stop at `cap` keys. Both come in key order, so every
 * primary key up to the last key both listings reach is compared exactly (its DR copy, if any,
 * sorts at or before that key); the primary's keys past it are unknown, not pending. A capped
 * answer is a lower bound and says so with `cappedAt` rather than passing for the whole bucket.
 * (S3 orders keys by UTF-8 bytes, which is the string order here for keys below U+D800.)
 */
export function replicationLagWithin(
  primary: CurrentListing,
  dr: CurrentListing,
  now: Date,
  cap: number,
): { lagSeconds: number; pendingObjects: number; cappedAt?: number } {
  if (!primary.truncated && !dr.truncated) return replicationLag(primary.objects, dr.objects, now);
  const ends = [primary, dr].flatMap((l) => (l.truncated ? [l.objects.at(-1)?.key ?? ''] : []));
  const through = ends.reduce((a, b) => (b < a ? b : a));
  const seen = primary.objects.filter((o) => o.key <= through);
  return { ...replicationLag(seen, dr.objects, now), cappedAt: cap };
}
