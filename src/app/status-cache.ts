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
 */
export class AwsStatusCache {
  #part: AwsPart | undefined;
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
    readonly opts: { readonly firstRoundWaits?: boolean } = {},
  ) {}
  /** The last AWS part, while it is fresh. */
  get(): AwsPart | undefined {
    return !this.#stale && this.clock() - this.#at < this.maxAgeMs ? this.#part : undefined;
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
