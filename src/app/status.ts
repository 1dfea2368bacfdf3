import { stripControlsDeep } from '../domain/sanitize.js';
import type { ClusterStatus, NodeStatus } from '../domain/cluster.js';
import { errorMessage, ExitCode, VrError } from '../domain/errors.js';
import { describeHealthCode, roleOf } from '../domain/health.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import { formatFailoverStatus, primaryAsgWhileDr } from '../engine/failover-status.js';
import type { VaultNode, VaultPort } from '../engine/vault.js';
import { withDeadline } from './deadline.js';
import { instanceFor, readAwsPart, type Within } from './status-aws.js';
import { NO_AWS, type AwsPart, type AwsStatusCache } from './status-cache.js';
import type { LeaderMemo } from './status-leaders.js';
import type { StatusPreview } from './status-poller.js';

export { AwsStatusCache } from './status-cache.js';
export { LeaderMemo } from './status-leaders.js';
export { StatusPoller, type PollerOptions, type StatusPreview } from './status-poller.js';

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
  /** The rows of the nodes that answered, before the round ends (see StatusPreview). */
  readonly preview?: StatusPreview;
  /** Keeps each region's lock holder between rounds while its rows stay the same (a poller's). */
  readonly leaders?: LeaderMemo;
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
  readonly haLockHolder?: string | undefined;
  readonly drLeader?: string | undefined;
}

/**
 * Both regions' nodes, each address asked once a round (a profile may list a DR node among
 * its addresses too), then each region's lock holder. `answered` hears of each node as its
 * answer comes, with the rows of every node that has answered so far.
 */
async function readVaultPart(
  vault: VaultPort,
  within: Within,
  limit: number,
  answered?: (soFar: VaultPart) => void,
  leaders?: LeaderMemo,
): Promise<VaultPart> {
  const primary = vault.nodes();
  const dr = vault.drNodes();
  const unique = new Map<string, VaultNode>();
  for (const n of [...primary, ...dr]) if (!unique.has(n.address)) unique.set(n.address, n);
  const byAddress = new Map<string, NodeStatus>();
  const of = (n: VaultNode): NodeStatus | undefined => {
    const s = byAddress.get(n.address);
    return !s || s.name === n.name ? s : { ...s, name: n.name };
  };
  const rows = (ns: readonly VaultNode[]): NodeStatus[] =>
    ns.map(of).filter((s): s is NodeStatus => s !== undefined);
  await mapLimit([...unique.values()], limit, async (n) => {
    byAddress.set(n.address, await nodeStatus(vault, n, within));
    answered?.({ nodes: rows(primary), drNodes: rows(dr) });
  });
  const nodes = rows(primary);
  const drNodes = rows(dr);
  const unsealed = (ns: readonly VaultNode[]): VaultNode[] =>
    ns.filter((n) => {
      const s = byAddress.get(n.address);
      return s?.reachable === true && s.sealed === false;
    });
  const holder = async (
    region: string,
    ns: readonly VaultNode[],
    rows: readonly NodeStatus[],
  ): Promise<string | undefined> => {
    const kept = leaders?.get(region, rows);
    if (kept) return kept.holder;
    const h = await leaderFrom(vault, unsealed(ns), within);
    leaders?.set(region, rows, h);
    return h;
  };
  // Each region has its own lock table: both holders are shown (two would be a split brain).
  const [haLockHolder, drLeader] = await Promise.all([
    holder('primary', primary, nodes),
    dr.length ? holder('dr', dr, drNodes) : Promise.resolve(undefined),
  ]);
  return { nodes, drNodes, haLockHolder, drLeader };
}

/** A status from what was read: the nodes placed on their instances, the AWS part, counts. */
function assemble(
  profile: Profile | undefined,
  vault: VaultPort,
  v: VaultPart,
  a: AwsPart,
  at: Date,
): ClusterStatus {
  const instances = a.regions.flatMap((r) => r.instances);
  const placed = (n: NodeStatus): NodeStatus => {
    const i = instanceFor(n, instances);
    return i ? { ...n, instanceId: i.instanceId, az: i.az, ami: i.imageId, region: i.region } : n;
  };
  const nodes = v.nodes.map(placed);
  const drNodes = vault.drNodes().length ? v.drNodes.map(placed) : undefined;
  const count = (p: (n: NodeStatus) => boolean): number => nodes.filter(p).length;
  const stray = primaryAsgWhileDr(
    a.dns,
    a.regions.find((r) => r.region.name === 'primary')?.region,
  );
  // Vault's and AWS's strings (a node's `version`, an error text) go to the terminal, the status
  // pane and `${{ cluster.* }}`: no escape sequence from them reaches a screen.
  return stripControlsDeep({
    profile: profile?.name ?? 'VAULT_ADDR',
    updatedAt: at.toISOString(),
    ...(vault.insecure ? { insecure: vault.insecure } : {}),
    nodes,
    regions: a.regions.map((r) => r.region),
    ...(v.haLockHolder ? { haLockHolder: v.haLockHolder } : {}),
    ...(a.replication ? { replication: a.replication } : {}),
    ...(a.dns || drNodes
      ? {
          failover: {
            ...(a.dns ? { dns: a.dns } : {}),
            ...(stray ? { primaryAsgWhileDr: stray } : {}),
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
  const preview = opts.preview;
  let soFar: VaultPart | undefined;
  let timer: NodeJS.Timeout | undefined;
  const answered = preview
    ? (part: VaultPart): void => {
        soFar = part;
        timer ??= setTimeout(() => {
          timer = undefined;
          if (soFar) preview.show(assemble(profile, vault, soFar, cached ?? NO_AWS, now()));
        }, preview.afterMs);
      }
    : undefined;
  let v: VaultPart;
  let a: AwsPart;
  try {
    [v, a] = await Promise.all([
      readVaultPart(vault, nodeCall, opts.concurrency ?? 6, answered, opts.leaders),
      cached ? Promise.resolve(cached) : defer ? Promise.resolve(NO_AWS) : readAws(),
    ]);
  } finally {
    clearTimeout(timer);
    soFar = undefined;
  }
  const all = [...v.nodes, ...v.drNodes];
  if (cached || defer) cache?.observe(all);
  else cache?.set(a, all);
  // Only now: loading the SDK would take the CPU from the nodes' first handshakes and rows.
  if (defer) cache.prefetch(readAws);
  return assemble(profile, vault, v, a, now());
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
