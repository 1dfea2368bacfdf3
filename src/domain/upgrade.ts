/**
 * The rolling upgrade decided in pure functions (DESIGN §8): standbys first, one at a time, the
 * active last by a clean shutdown, and a newcomer must be an unsealed standby on the target
 * version before anything else is touched. Every decision is made from the live view alone, so
 * a resumed run continues exactly where the cluster is: a node on the new image is never
 * replaced again, and an old one is never skipped.
 */

/** Compares dotted versions numerically (1.14.10 > 1.14.8); a suffix like `+ent` is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    v
      .replace(/^v/, '')
      .split(/[+-]/)[0]!
      .split('.')
      .map((x) => Number(x) || 0);
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export type NodeRole = 'active' | 'standby' | 'sealed' | 'uninitialized' | 'unreachable' | 'other';

/** One Vault node of the profile as seen now, with the instance behind it when one is known. */
export interface NodeView {
  readonly name: string;
  readonly address: string;
  readonly role: NodeRole;
  readonly code?: number;
  readonly version?: string;
  readonly instanceId?: string;
  readonly az?: string;
  readonly imageId?: string;
}

/** One instance of the Auto Scaling group, with the node it serves when it could be matched. */
export interface MemberView {
  readonly instanceId: string;
  readonly az: string;
  readonly lifecycleState: string;
  readonly healthStatus: string;
  readonly imageId?: string;
  readonly node?: string;
  /** ISO launch time of the instance, when EC2 told it. */
  readonly launchedAt?: string;
}

export interface ClusterView {
  readonly nodes: readonly NodeView[];
  readonly members: readonly MemberView[];
  readonly desired: number;
  /** The group's AZs as configured now (an AZ that lost every instance is still one of them). */
  readonly azs?: readonly string[];
  /** The group's region. */
  readonly region?: string;
}

export interface Target {
  readonly imageId: string;
  readonly version: string;
}

export type Phase = 'standbys' | 'active';

export type Move =
  | { readonly kind: 'done'; readonly detail: string }
  /** Something is on its way (a launch, a start, an election): look again shortly. */
  | { readonly kind: 'wait'; readonly instanceId?: string; readonly why: string }
  | { readonly kind: 'unseal'; readonly node: NodeView; readonly instanceId: string }
  | {
      readonly kind: 'replace';
      readonly node: NodeView;
      readonly instanceId: string;
      readonly role: 'standby' | 'active';
    }
  /** Going on would be unsafe: the run stops here, the cluster serving as it is. */
  | { readonly kind: 'stop'; readonly why: string };

const inFlight = (m: MemberView): boolean =>
  m.lifecycleState !== 'InService' && m.lifecycleState !== 'Pending';

const healthyOn = (n: NodeView | undefined, version: string): boolean =>
  n !== undefined &&
  (n.role === 'standby' || n.role === 'active') &&
  n.version !== undefined &&
  compareVersions(n.version, version) === 0;

/** The next thing to do in `phase`, from the live view alone. */
export function nextMove(view: ClusterView, target: Target, phase: Phase): Move {
  const byName = new Map(view.nodes.map((n) => [n.name, n]));
  const live = view.members.filter((m) => !inFlight(m));
  if (live.length < view.desired)
    return {
      kind: 'wait',
      why: `the Auto Scaling group has ${live.length} of ${view.desired} instance(s): it is launching a replacement`,
    };
  // A newcomer first: nothing else is touched until it is an unsealed node on the target.
  for (const m of live.filter((x) => x.imageId === target.imageId)) {
    const n = m.node ? byName.get(m.node) : undefined;
    if (!n)
      return {
        kind: 'wait',
        instanceId: m.instanceId,
        why: `${m.instanceId} (${m.az}) is starting: no Vault node answers for it yet`,
      };
    if (n.role === 'sealed') return { kind: 'unseal', node: n, instanceId: m.instanceId };
    if (n.role === 'unreachable' || n.role === 'other')
      return {
        kind: 'wait',
        instanceId: m.instanceId,
        why: `${n.name} (${m.instanceId}) is ${n.role === 'other' ? `answering ${n.code ?? '?'}` : 'not answering yet'}`,
      };
    if (n.role === 'uninitialized')
      return {
        kind: 'stop',
        why: `${n.name} (${m.instanceId}) reports "not initialized": the new image does not reach the cluster's storage`,
      };
    if (n.version && compareVersions(n.version, target.version) !== 0)
      return {
        kind: 'stop',
        why: `${n.name} (${m.instanceId}) was launched from ${target.imageId} but runs Vault ${n.version}, not ${target.version}: the image is not what it claims`,
      };
  }
  const old = live.filter((m) => m.imageId !== target.imageId);
  const oldNodes = old.map((m) => ({ m, n: m.node ? byName.get(m.node) : undefined }));
  const broken = oldNodes.find(({ n }) => !n || (n.role !== 'standby' && n.role !== 'active'));
  if (broken)
    return {
      kind: 'stop',
      why: `${broken.n?.name ?? broken.m.instanceId} (${broken.m.instanceId}, old image) is ${broken.n ? broken.n.role : 'not matched to any node of the profile'}: fix it first (vault-runbook run unseal, or replace-node)`,
    };
  const standbys = oldNodes
    .filter(({ n }) => n?.role === 'standby')
    .sort((a, b) => (a.n?.name ?? '').localeCompare(b.n?.name ?? ''));
  const first = standbys[0];
  if (first?.n)
    return { kind: 'replace', node: first.n, instanceId: first.m.instanceId, role: 'standby' };
  const active = oldNodes.find(({ n }) => n?.role === 'active');
  if (active?.n) {
    if (phase === 'standbys')
      return {
        kind: 'done',
        detail: `every standby runs Vault ${target.version}; ${active.n.name} (active) is next`,
      };
    // Its successor must be newer: only unsealed standbys on the target may take the lock.
    const successors = view.nodes.filter(
      (n) => n.role === 'standby' && healthyOn(n, target.version),
    );
    if (successors.length === 0)
      return {
        kind: 'stop',
        why: `no unsealed standby runs Vault ${target.version}: shutting down ${active.n.name} now would leave no node to take over`,
      };
    return { kind: 'replace', node: active.n, instanceId: active.m.instanceId, role: 'active' };
  }
  const leader = view.nodes.find((n) => n.role === 'active');
  if (!leader)
    return { kind: 'wait', why: 'no node is active yet: a standby is taking the HA lock' };
  if (!healthyOn(leader, target.version))
    return {
      kind: 'stop',
      why: `${leader.name} is active on Vault ${leader.version ?? '?'}, not ${target.version}`,
    };
  return {
    kind: 'done',
    detail: `every instance runs ${target.imageId}; ${leader.name} is active on Vault ${target.version}`,
  };
}

/** The order the upgrade takes, for the dry run and the journal: standbys by name, active last. */
export function upgradeOrder(view: ClusterView): NodeView[] {
  const standbys = view.nodes
    .filter((n) => n.role === 'standby')
    .sort((a, b) => a.name.localeCompare(b.name));
  const active = view.nodes.filter((n) => n.role === 'active');
  return [...standbys, ...active];
}

/** Where the cluster stands before an upgrade: why it must not start, if it must not. */
export function upgradeBlocker(view: ClusterView, targetVersion?: string): string | undefined {
  const bad = view.nodes.filter((n) => n.role !== 'active' && n.role !== 'standby');
  if (bad.length)
    return `not every node is initialized, unsealed and answering: ${bad.map((n) => `${n.name} ${n.role}`).join(', ')}`;
  const active = view.nodes.filter((n) => n.role === 'active');
  if (active.length !== 1)
    return `exactly one node must be active, found ${active.length}${active.length ? ` (${active.map((n) => n.name).join(', ')})` : ''}`;
  if (targetVersion === undefined) return undefined;
  const newer = view.nodes.filter(
    (n) => n.version && compareVersions(n.version, targetVersion) > 0,
  );
  if (newer.length)
    return `the target Vault ${targetVersion} is older than ${newer.map((n) => `${n.name} (${n.version})`).join(', ')}: a downgrade is the rollback runbook's job`;
  return undefined;
}
