import { stripControlsDeep } from '../domain/sanitize.js';
import type { ClusterStatus, NodeStatus, RegionStatus } from '../domain/cluster.js';
import { replicationLag } from '../domain/cluster.js';
import { errorMessage, ExitCode, VrError } from '../domain/errors.js';
import { describeHealthCode, roleOf } from '../domain/health.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import { dnsStatus, formatFailoverStatus } from '../engine/failover-status.js';
import type { VaultNode, VaultPort } from '../engine/vault.js';
import { withDeadline } from './deadline.js';
import { NO_AWS, type AwsPart, type AwsStatusCache, type PlacedInstance } from './status-cache.js';

export { AwsStatusCache } from './status-cache.js';
export { StatusPoller, type PollerOptions } from './status-poller.js';

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

/** Runs a call under its own deadline (see ./deadline.ts). */
type Within = <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

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

async function nodeStatus(vault: VaultPort, node: VaultNode, within: Within): Promise<NodeStatus> {
  const h = await within((signal) => vault.health(node, signal));
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
    const s = await within((signal) => vault.sealStatus(node, signal));
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
  instances: readonly PlacedInstance[],
): PlacedInstance | undefined {
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
): Promise<{ region: RegionStatus; instances: PlacedInstance[] }> {
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

/** Every AWS read of a status, each under its own AWS deadline; every failure is data. */
async function readAwsPart(
  profile: Profile | undefined,
  aws: AwsPort | undefined,
  within: Within,
  now: () => Date,
): Promise<AwsPart> {
  const a = profile?.aws;
  if (!aws || !profile || !a) return NO_AWS;
  const drRegion = a.dr_region;
  const [regions, repl, dns] = await Promise.all([
    Promise.all([
      within((s) => regionStatus(aws, 'primary', a.region, a.asg, a.data_bucket, s)),
      ...(drRegion
        ? [within((s) => regionStatus(aws, 'dr', drRegion, a.dr_asg, a.dr_data_bucket, s))]
        : []),
    ]),
    within((s) => replication(aws, profile, s, now())),
    within((s) => dnsStatus(profile, aws, s)),
  ]);
  return { regions, ...(repl ? { replication: repl } : {}), ...(dns ? { dns } : {}) };
}

/**
 * Who holds the HA lock, asked of the unsealed nodes in turn until one answers: a node that
 * answered health and then stops answering costs one deadline, not the answer.
 */
async function leaderFrom(
  vault: VaultPort,
  unsealed: readonly VaultNode[],
  within: Within,
): Promise<string | undefined> {
  for (const node of unsealed) {
    try {
      const l = await within((signal) => vault.leader(node, signal));
      if (l.leaderAddress) return l.leaderAddress;
      // Storage without HA: the only unsealed node serves alone.
      if (!l.haEnabled) return node.address;
    } catch {
      // This node cannot say this round (timeout, sealed meanwhile): the next one is asked.
    }
  }
  return undefined;
}

interface VaultPart {
  readonly nodes: readonly NodeStatus[];
  readonly drNodes: readonly NodeStatus[];
  readonly haLockHolder: string | undefined;
  readonly drLeader: string | undefined;
}

/**
 * Both regions' nodes, each address asked once a round (a profile may list a DR node among
 * its addresses too), then each region's lock holder.
 */
async function readVaultPart(vault: VaultPort, within: Within, limit: number): Promise<VaultPart> {
  const primary = vault.nodes();
  const dr = vault.drNodes();
  const unique = new Map<string, VaultNode>();
  for (const n of [...primary, ...dr]) if (!unique.has(n.address)) unique.set(n.address, n);
  const asked = [...unique.values()];
  const answers = await mapLimit(asked, limit, (n) => nodeStatus(vault, n, within));
  const byAddress = new Map(asked.map((n, i) => [n.address, answers[i] as NodeStatus]));
  const of = (n: VaultNode): NodeStatus => {
    const s = byAddress.get(n.address) as NodeStatus;
    return s.name === n.name ? s : { ...s, name: n.name };
  };
  const nodes = primary.map(of);
  const drNodes = dr.map(of);
  const unsealed = (ns: readonly VaultNode[], ss: readonly NodeStatus[]): VaultNode[] =>
    ns.filter((_, i) => ss[i]?.reachable === true && ss[i]?.sealed === false);
  // Each region has its own lock table: both holders are shown (two would be a split brain).
  const [haLockHolder, drLeader] = await Promise.all([
    leaderFrom(vault, unsealed(primary, nodes), within),
    dr.length ? leaderFrom(vault, unsealed(dr, drNodes), within) : Promise.resolve(undefined),
  ]);
  return { nodes, drNodes, haLockHolder, drLeader };
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
  const awsTimeout = opts.awsTimeoutMs ?? Math.max(timeout, 5000);
  const nodeCall: Within = (fn) => withDeadline(signal, timeout, fn);
  const awsCall: Within = (fn) => withDeadline(signal, awsTimeout, fn);
  // A discovering profile's nodes are the ASG's instances of this moment (new IPs after a replacement).
  // Its own deadline (discoverNodes'), not a node's: the first call also loads the AWS SDK.
  if (vault.refresh)
    await vault.refresh(signal).catch((err: unknown) => {
      if (err instanceof VrError) throw err;
      throw new VrError(errorMessage(err), ExitCode.precondition, [
        'check the ASG name and region in the profile, and the AWS credentials',
      ]);
    });
  const cache = opts.awsCache;
  const cached = cache?.get();
  const readAws = (): Promise<AwsPart> => readAwsPart(profile, aws, awsCall, now);
  const defer = !cached && cache?.mayDefer === true && aws !== undefined;
  const [v, a] = await Promise.all([
    readVaultPart(vault, nodeCall, opts.concurrency ?? 6),
    cached ? Promise.resolve(cached) : defer ? Promise.resolve(NO_AWS) : readAws(),
  ]);
  const all = [...v.nodes, ...v.drNodes];
  if (cached || defer) cache?.observe(all);
  else cache?.set(a, all);
  // Only now: loading the SDK would take the CPU from the nodes' first handshakes and rows.
  if (defer) cache.prefetch(readAws);
  const instances = a.regions.flatMap((r) => r.instances);
  const placed = (n: NodeStatus): NodeStatus => {
    const i = instanceFor(n, instances);
    return i ? { ...n, instanceId: i.instanceId, az: i.az, ami: i.imageId, region: i.region } : n;
  };
  const nodes = v.nodes.map(placed);
  const drNodes = vault.drNodes().length ? v.drNodes.map(placed) : undefined;
  const count = (p: (n: NodeStatus) => boolean): number => nodes.filter(p).length;
  // Vault's and AWS's strings (a node's `version`, an error text) go to the terminal, the status
  // pane and `${{ cluster.* }}`: no escape sequence from them reaches a screen.
  return stripControlsDeep({
    profile: profile?.name ?? 'VAULT_ADDR',
    updatedAt: now().toISOString(),
    ...(vault.insecure ? { insecure: vault.insecure } : {}),
    nodes,
    regions: a.regions.map((r) => r.region),
    ...(v.haLockHolder ? { haLockHolder: v.haLockHolder } : {}),
    ...(a.replication ? { replication: a.replication } : {}),
    ...(a.dns || drNodes
      ? {
          failover: {
            ...(a.dns ? { dns: a.dns } : {}),
            ...(drNodes ? { drNodes } : {}),
            ...(v.drLeader ? { drLeader: v.drLeader } : {}),
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
