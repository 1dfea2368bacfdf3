import { stripControlsDeep } from '../domain/sanitize.js';
import type { ClusterStatus, NodeStatus, RegionStatus } from '../domain/cluster.js';
import { replicationLag } from '../domain/cluster.js';
import { errorMessage, ExitCode, VrError } from '../domain/errors.js';
import { describeHealthCode, roleOf } from '../domain/health.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort, Ec2Instance } from '../engine/aws.js';
import { failoverStatus, formatFailoverStatus } from '../engine/failover-status.js';
import type { VaultNode, VaultPort } from '../engine/vault.js';

export interface CollectOptions {
  readonly perNodeTimeoutMs?: number;
  readonly concurrency?: number;
  readonly now?: () => Date;
  /**
   * Each AWS call's deadline (default 5 s): the first call of a process also loads the SDK
   * client and resolves credentials (SSO, instance role), which a node's 1.5 s does not cover.
   */
  readonly awsTimeoutMs?: number;
  /** Reuses the AWS part of recent rounds (a poller passes one; a single read does not). */
  readonly awsCache?: AwsStatusCache;
}

type AwsPart = [
  { region: RegionStatus; instances: (Ec2Instance & { region: string })[] }[],
  ClusterStatus['replication'],
];

/**
 * The AWS half of a status (ASG, instances, replication lag) changes far less often than a
 * node's seal state, and costs far more to read (listing both data buckets' versions, one
 * SDK call per region and service). A poller reads it at most every `maxAgeMs`, and again on
 * the next round after the Vault half changed (a node sealed, came or went, was upgraded), so
 * what the AWS rows say is never older than that while something is happening.
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

/** What of the nodes an AWS change would go with: which answer, on what version, sealed or not. */
function nodesKey(nodes: readonly NodeStatus[]): string {
  return JSON.stringify(
    nodes.map((n) => [n.name, n.reachable, n.version, n.sealed, n.initialized]),
  );
}

/** Runs `fn` over items with at most `limit` in flight. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function nodeStatus(
  vault: VaultPort,
  node: VaultNode,
  signal: AbortSignal,
): Promise<NodeStatus> {
  const h = await vault.health(node, signal);
  if (!h.reachable)
    return {
      name: node.name,
      address: node.address,
      role: 'unknown',
      health: 'unreachable',
      reachable: false,
      error: h.error,
    };
  const base: NodeStatus = {
    name: node.name,
    address: node.address,
    ...(h.body.version ? { version: h.body.version } : {}),
    ...(h.body.initialized !== undefined ? { initialized: h.body.initialized } : {}),
    ...(h.body.sealed !== undefined ? { sealed: h.body.sealed } : {}),
    role: roleOf(h.code, h.body),
    healthCode: h.code,
    health: describeHealthCode(h.code),
    reachable: true,
  };
  if (!h.body.sealed || !h.body.initialized) return base;
  try {
    const s = await vault.sealStatus(node, signal);
    return { ...base, progress: { t: s.t, n: s.n, progress: s.progress, nonce: s.nonce } };
  } catch (err) {
    // Health answered: the node is shown; only its unseal progress is missing, and says why.
    return { ...base, error: `seal status: ${errorMessage(err)}` };
  }
}

function hostOf(address: string): string {
  try {
    return new URL(address).hostname;
  } catch {
    return address;
  }
}

/** An instance stands behind a node when its tag or private IP names the node's address. */
function instanceFor(
  node: NodeStatus,
  instances: readonly (Ec2Instance & { region: string })[],
): (Ec2Instance & { region: string }) | undefined {
  const host = hostOf(node.address);
  return instances.find(
    (i) =>
      i.tags['vault-runbook:address'] === node.address ||
      i.tags['vault-runbook:host'] === host ||
      i.privateIp === host,
  );
}

async function regionStatus(
  aws: AwsPort,
  name: string,
  region: string,
  asgName: string | undefined,
  bucket: string | undefined,
  signal: AbortSignal,
): Promise<{ region: RegionStatus; instances: (Ec2Instance & { region: string })[] }> {
  const base: RegionStatus = { name, region, ...(bucket ? { dataBucket: bucket } : {}) };
  if (!asgName) return { region: base, instances: [] };
  try {
    const asg = await aws.describeAsg(asgName, region, signal);
    if (!asg)
      return {
        region: {
          ...base,
          asg: { name: asgName, desired: 0, inService: 0, error: 'no such Auto Scaling group' },
        },
        instances: [],
      };
    const inService = asg.instances.filter((i) => i.lifecycleState === 'InService').length;
    const instances = await aws.describeInstances(
      asg.instances.map((i) => i.instanceId),
      region,
      signal,
    );
    return {
      region: { ...base, asg: { name: asgName, desired: asg.desired, inService } },
      instances: instances.map((i) => ({ ...i, region })),
    };
  } catch (err) {
    return {
      region: {
        ...base,
        asg: { name: asgName, desired: 0, inService: 0, error: errorMessage(err) },
      },
      instances: [],
    };
  }
}

async function replication(
  aws: AwsPort,
  profile: Profile,
  signal: AbortSignal,
  now: Date,
): Promise<ClusterStatus['replication']> {
  const a = profile.aws;
  if (!a?.data_bucket || !a.dr_data_bucket) return undefined;
  try {
    const latest = (
      vs: Awaited<ReturnType<AwsPort['listObjectVersions']>>,
    ): { key: string; lastModified: string; etag?: string }[] =>
      vs
        .filter((v) => v.isLatest && !v.deleteMarker)
        .map((v) => ({
          key: v.key,
          lastModified: v.lastModified,
          ...(v.etag ? { etag: v.etag } : {}),
        }));
    const [p, d] = await Promise.all([
      aws.listObjectVersions(a.data_bucket, a.region, signal),
      aws.listObjectVersions(a.dr_data_bucket, a.dr_region ?? a.region, signal),
    ]);
    return replicationLag(latest(p), latest(d), now);
  } catch (err) {
    return { lagSeconds: -1, pendingObjects: -1, error: errorMessage(err) };
  }
}

/**
 * Who holds the HA lock, asked of the unsealed nodes in turn until one answers: a node that
 * answered health and then stops answering costs one deadline, not the answer.
 */
async function leaderFrom(
  vault: VaultPort,
  unsealed: readonly NodeStatus[],
  deadline: () => AbortSignal,
): Promise<string | undefined> {
  for (const n of unsealed) {
    const node = [...vault.nodes(), ...vault.drNodes()].find((x) => x.name === n.name);
    if (!node) continue;
    try {
      const l = await vault.leader(node, deadline());
      if (l.leaderAddress) return l.leaderAddress;
      // Storage without HA: the only unsealed node serves alone.
      if (!l.haEnabled) return node.address;
    } catch {
      // This node cannot say this round (timeout, sealed meanwhile): the next one is asked.
    }
  }
  return undefined;
}

/**
 * One snapshot of the cluster. Every call has its own deadline, so a node that does not answer
 * shows as unreachable instead of holding up the rest.
 */
export async function collectStatus(
  profile: Profile | undefined,
  vault: VaultPort,
  aws: AwsPort | undefined,
  signal: AbortSignal,
  opts: CollectOptions = {},
): Promise<ClusterStatus> {
  const timeout = opts.perNodeTimeoutMs ?? 1500;
  const now = opts.now ?? (() => new Date());
  const deadline = (): AbortSignal => AbortSignal.any([signal, AbortSignal.timeout(timeout)]);
  const awsTimeout = opts.awsTimeoutMs ?? Math.max(timeout, 5000);
  const awsDeadline = (): AbortSignal => AbortSignal.any([signal, AbortSignal.timeout(awsTimeout)]);
  const a = profile?.aws;
  // A discovering profile's nodes are the ASG's instances of this moment (new IPs after a replacement).
  // Its own deadline (discoverNodes'), not a node's: the first call also loads the AWS SDK.
  if (vault.refresh)
    await vault.refresh(signal).catch((err: unknown) => {
      if (err instanceof VrError) throw err;
      throw new VrError(errorMessage(err), ExitCode.precondition, [
        'check the ASG name and region in the profile, and the AWS credentials',
      ]);
    });
  const cached = opts.awsCache?.get();
  const awsPart = async (): Promise<AwsPart> =>
    Promise.all([
      aws && a
        ? Promise.all([
            regionStatus(aws, 'primary', a.region, a.asg, a.data_bucket, awsDeadline()),
            ...(a.dr_region
              ? [regionStatus(aws, 'dr', a.dr_region, a.dr_asg, a.dr_data_bucket, awsDeadline())]
              : []),
          ])
        : Promise.resolve([]),
      aws && profile ? replication(aws, profile, awsDeadline(), now()) : Promise.resolve(undefined),
    ]);
  const cache = opts.awsCache;
  const defer = !cached && cache?.mayDefer === true && aws !== undefined;
  if (defer) cache.prefetch(awsPart);
  const noAws: AwsPart = [[], undefined];
  const [nodes, [regions, repl], failover] = await Promise.all([
    mapLimit(vault.nodes(), opts.concurrency ?? 6, (n) => nodeStatus(vault, n, deadline())),
    cached ? Promise.resolve(cached) : defer ? Promise.resolve(noAws) : awsPart(),
    failoverStatus(profile, vault, aws, deadline, (n) => nodeStatus(vault, n, deadline())),
  ]);
  if (!cached && !defer) cache?.set([regions, repl], nodes);
  else cache?.observe(nodes);
  const instances = regions.flatMap((r) => r.instances);
  const placed = (n: NodeStatus): NodeStatus => {
    const i = instanceFor(n, instances);
    return i ? { ...n, instanceId: i.instanceId, az: i.az, ami: i.imageId, region: i.region } : n;
  };
  const withInstances = nodes.map(placed);
  const unsealed = (ns: readonly NodeStatus[]): NodeStatus[] =>
    ns.filter((n) => n.reachable && n.sealed === false);
  const drNodes = failover.drNodes?.map(placed);
  // Each region has its own lock table: both holders are shown (two would be a split brain).
  const [haLockHolder, drLeader] = await Promise.all([
    leaderFrom(vault, unsealed(withInstances), deadline),
    drNodes ? leaderFrom(vault, unsealed(drNodes), deadline) : Promise.resolve(undefined),
  ]);
  const count = (p: (n: NodeStatus) => boolean): number => withInstances.filter(p).length;
  // Vault's and AWS's strings (a node's `version`, an error text) go to the terminal, the status
  // pane and `${{ cluster.* }}`: no escape sequence from them reaches a screen.
  return stripControlsDeep({
    profile: profile?.name ?? 'VAULT_ADDR',
    updatedAt: now().toISOString(),
    ...(vault.insecure ? { insecure: vault.insecure } : {}),
    nodes: withInstances,
    regions: regions.map((r) => r.region),
    ...(haLockHolder ? { haLockHolder } : {}),
    ...(repl ? { replication: repl } : {}),
    ...(failover.dns || drNodes
      ? {
          failover: {
            ...failover,
            ...(drNodes ? { drNodes } : {}),
            ...(drLeader ? { drLeader } : {}),
          },
        }
      : {}),
    summary: {
      sealed: count((n) => n.reachable && n.initialized === true && n.sealed === true),
      unsealed: count((n) => n.reachable && n.sealed === false),
      uninitialized: count((n) => n.reachable && n.initialized === false),
      unreachable: count((n) => !n.reachable),
    },
  });
}

/** What a status says about the cluster, without the time it was read. */
function fingerprint(s: ClusterStatus): string {
  return JSON.stringify({ ...s, updatedAt: '' });
}

export interface PollerOptions {
  /** The longest wait between rounds once nothing changes (default: 4 × the interval). */
  readonly maxIntervalMs?: number;
  /**
   * Calls onUpdate only when what the status says changed (a screen then re-renders only for
   * a change), but at least every `refreshMs` so the time it shows stays honest.
   */
  readonly onlyChanges?: { readonly refreshMs: number };
}

/**
 * Polls in the background; a slow round is never overlapped by the next one. Rounds are never
 * closer than the interval; while the cluster stays the same the wait doubles up to the
 * maximum (an idle screen costs little), and the first change brings it back to the interval.
 */
export class StatusPoller {
  readonly #ctl = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #last: string | undefined;
  #delay: number;
  readonly #max: number;
  readonly #onlyChanges: PollerOptions['onlyChanges'];
  #shownAt = -Infinity;
  constructor(
    readonly collect: (signal: AbortSignal) => Promise<ClusterStatus>,
    readonly onUpdate: (s: ClusterStatus) => void,
    readonly intervalMs = 1000,
    opts: PollerOptions = {},
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0)
      throw new RangeError(`poll interval must be a positive number of ms, not ${intervalMs}`);
    this.#delay = intervalMs;
    this.#max = Math.max(intervalMs, opts.maxIntervalMs ?? intervalMs * 4);
    this.#onlyChanges = opts.onlyChanges;
  }
  /** The wait before the next round. */
  get delayMs(): number {
    return this.#delay;
  }
  start(): void {
    const tick = async (): Promise<void> => {
      try {
        const s = await this.collect(this.#ctl.signal);
        const f = fingerprint(s);
        const same = f === this.#last;
        this.#delay = same ? Math.min(this.#max, this.#delay * 2) : this.intervalMs;
        this.#last = f;
        const now = Date.now();
        if (!same || !this.#onlyChanges || now - this.#shownAt >= this.#onlyChanges.refreshMs) {
          this.#shownAt = now;
          this.onUpdate(s);
        }
      } catch {
        // a failed round is retried after the interval
        this.#delay = this.intervalMs;
      }
      if (!this.#ctl.signal.aborted) this.#timer = setTimeout(() => void tick(), this.#delay);
    };
    void tick();
  }
  stop(): void {
    this.#ctl.abort();
    if (this.#timer) clearTimeout(this.#timer);
  }
}

export function formatStatus(s: ClusterStatus): string {
  const lines: string[] = [];
  if (s.insecure) lines.push(`WARNING: ${s.insecure}`);
  lines.push(
    `cluster ${s.profile} at ${s.updatedAt}: ${s.summary.unsealed} unsealed, ${s.summary.sealed} sealed, ${s.summary.uninitialized} uninitialized, ${s.summary.unreachable} unreachable`,
  );
  for (const n of s.nodes) {
    const seal = !n.reachable
      ? 'unreachable'
      : n.initialized === false
        ? 'uninitialized'
        : n.sealed
          ? `sealed ${n.progress ? `${n.progress.progress}/${n.progress.t}${n.progress.nonce ? ` nonce ${n.progress.nonce.slice(0, 8)}` : ''}` : ''}`
          : 'unsealed';
    lines.push(
      `  ${n.name.padEnd(8)} ${(n.instanceId ?? '-').padEnd(20)} ${(n.az ?? '-').padEnd(11)} ${(n.ami ?? '-').padEnd(22)} ${(n.version ?? '-').padEnd(8)} ${seal.padEnd(22)} ${n.role.padEnd(12)} ${n.healthCode ?? '-'} ${n.health}${n.error ? ` (could not read: ${n.error})` : ''}`,
    );
  }
  for (const r of s.regions)
    lines.push(
      `  region ${r.name} (${r.region}): ASG ${r.asg ? `${r.asg.name} desired ${r.asg.desired}, in service ${r.asg.inService}${r.asg.error ? ` (${r.asg.error})` : ''}` : '-'}`,
    );
  if (s.replication)
    lines.push(
      `  replication: ${s.replication.error ? `unknown (${s.replication.error})` : `lag ${s.replication.lagSeconds}s, ${s.replication.pendingObjects} object(s) pending`}`,
    );
  if (s.failover) lines.push(...formatFailoverStatus(s.failover));
  lines.push(
    `  HA lock holder: ${s.haLockHolder ?? (s.summary.unsealed > 0 ? 'unknown (no unsealed node answered sys/leader)' : 'unknown (no unsealed node)')}`,
  );
  return `${lines.join('\n')}\n`;
}
