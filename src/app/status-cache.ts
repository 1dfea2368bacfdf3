import type { ClusterStatus, NodeStatus, RegionStatus } from '../domain/cluster.js';
import type { FailoverStatus } from '../domain/failover.js';
import type { Ec2Instance } from '../engine/aws.js';

export type PlacedInstance = Ec2Instance & { readonly region: string };

/** What a status reads from AWS: each region's ASG and instances, replication lag, DNS. */
export interface AwsPart {
  readonly regions: readonly {
    readonly region: RegionStatus;
    readonly instances: readonly PlacedInstance[];
  }[];
  readonly replication?: ClusterStatus['replication'];
  readonly dns?: FailoverStatus['dns'];
}

export const NO_AWS: AwsPart = { regions: [] };

/**
 * The AWS half of a status (ASGs, instances, replication lag, where the Route 53 record
 * points) changes far less often than a node's seal state, and costs far more to read: each
 * call is signed, sent and its XML parsed, and the replication lag lists both data buckets. A
 * poller reads it at most every `maxAgeMs`, and again on the round after a node of either
 * region changed (sealed, came or went, was upgraded, took or lost the lock), so what the AWS
 * rows say is never older than that while something is happening — a failover moves DNS
 * while it promotes DR's nodes.
 *
 * While neither side changes, the reads back off: each read that finds the AWS part as it was
 * doubles its age limit, up to `opts.maxIdleAgeMs` (default: no back-off). A read that finds
 * something new, or a change on the Vault side, brings it back to `maxAgeMs`. What a person
 * must see at once (a node sealed, gone, or taking the lock) is in the nodes' rows, read every
 * round whatever the AWS age.
 */
export class AwsStatusCache {
  #part: AwsPart | undefined;
  /** The last part read, as text: a read that finds the same lengthens the wait. */
  #partKey: string | undefined;
  #ageMs: number;
  readonly #maxIdleAgeMs: number;
  #at = -Infinity;
  #nodesKey: string | undefined;
  #lastKey: string | undefined;
  #stale = false;
  #pending: Promise<void> | undefined;
  /**
   * `firstRoundWaits: false` (the TUI): the first round shows the nodes without waiting for
   * the AWS part — loading the SDK and its first calls take longer than every node's health —
   * and the AWS rows come with the round after it arrived.
   */
  constructor(
    readonly maxAgeMs = 10_000,
    readonly clock: () => number = () => performance.now(),
    readonly opts: { readonly firstRoundWaits?: boolean; readonly maxIdleAgeMs?: number } = {},
  ) {
    this.#ageMs = maxAgeMs;
    this.#maxIdleAgeMs = Math.max(maxAgeMs, opts.maxIdleAgeMs ?? maxAgeMs);
  }
  /** How old the AWS part may grow before a round reads it again (backs off while idle). */
  get ageLimitMs(): number {
    return this.#ageMs;
  }
  /** The last AWS part, while it is fresh. */
  get(): AwsPart | undefined {
    return !this.#stale && this.clock() - this.#at < this.#ageMs ? this.#part : undefined;
  }
  /** Whether a round without an AWS part of its own may go on without waiting for one. */
  get mayDefer(): boolean {
    return this.opts.firstRoundWaits === false && this.#part === undefined;
  }
  set(part: AwsPart, nodes: readonly NodeStatus[]): void {
    this.#keep(part, nodesKey(nodes));
  }
  /** Reads the AWS part in the background (once at a time); a failure leaves it to a later round. */
  prefetch(read: () => Promise<AwsPart>): void {
    if (this.#pending) return;
    this.#pending = read().then(
      (part) => {
        this.#pending = undefined;
        this.#keep(part, this.#lastKey);
      },
      () => {
        this.#pending = undefined;
      },
    );
  }
  /** After a round: a change on the Vault side makes the next round read AWS again. */
  observe(nodes: readonly NodeStatus[]): void {
    const key = nodesKey(nodes);
    this.#lastKey = key;
    if (this.#nodesKey !== undefined && key !== this.#nodesKey) this.#stale = true;
  }
  #keep(part: AwsPart, key: string | undefined): void {
    const partKey = JSON.stringify(part);
    // Backs off only when nothing moved on either side since the last read.
    const idle = !this.#stale && partKey === this.#partKey && key === this.#nodesKey;
    this.#ageMs = idle ? Math.min(this.#maxIdleAgeMs, this.#ageMs * 2) : this.maxAgeMs;
    this.#partKey = partKey;
    this.#part = part;
    this.#at = this.clock();
    this.#nodesKey = key;
    this.#lastKey = key;
    this.#stale = false;
  }
}

/**
 * What of the nodes (both regions) an AWS change would go with: which answer, on what version,
 * sealed or not, and with what health code (a promotion or a fenced primary changes it).
 */
function nodesKey(nodes: readonly NodeStatus[]): string {
  return JSON.stringify(
    nodes.map((n) => [n.name, n.reachable, n.version, n.sealed, n.initialized, n.healthCode]),
  );
}
