import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import { errorMessage, ExitCode, UsageError, VrError } from '../../domain/errors.js';
import { withDeadline } from '../../domain/deadline.js';
import type { ClusterView, MemberView, NodeView } from '../../domain/upgrade.js';
import type { ActionContext, ActionDef } from './types.js';
import { describeNode, readView, serving, ShareKeeper, terminateMember } from './upgrade-view.js';
import { requireVault } from './vault.js';

const Input = z.strictObject({
  /** Node names to replace (a list, or comma-separated); default: every failed one. */
  nodes: z.union([z.array(z.string()), z.string()]).optional(),
  /** Every instance in this AZ (a lost AZ): the ASG launches their replacements elsewhere. */
  az: z.string().optional(),
  timeout: z.union([z.string(), z.number()]).optional(),
  interval: z.union([z.string(), z.number()]).optional(),
  /**
   * A sealed node on an instance launched less than this long ago is the ASG's replacement
   * waiting for its shares: it is unsealed, not replaced again.
   */
  'sealed-grace': z.union([z.string(), z.number()]).optional(),
});
type Input = z.infer<typeof Input>;

function names(v: Input['nodes']): string[] {
  const list = typeof v === 'string' ? v.split(',') : (v ?? []);
  return list.map((x) => x.trim()).filter(Boolean);
}

const healthy = (n: NodeView | undefined): boolean =>
  n !== undefined && (n.role === 'active' || n.role === 'standby');

/**
 * Polls one node's health every 100 ms (at most about a minute) until it does not answer: the
 * terminated instance's Vault has stopped. False when it still answers then (the loop that
 * follows keeps watching, and says so).
 */
async function stopsAnswering(ctx: ActionContext<Input>, name: string): Promise<boolean> {
  const vault = requireVault(ctx);
  const node = vault.nodes().find((n) => n.name === name);
  if (!node) return true;
  for (let i = 0; i < 600; i++) {
    const h = await withDeadline(ctx.signal, 2_000, (s) => vault.health(node, s));
    if (!h.reachable) return true;
    await ctx.ports.clock.sleep(100, ctx.signal);
  }
  return false;
}

/** The decision's clock: now, and how young a sealed instance may be and still be waited for. */
export interface Timing {
  readonly now: number;
  readonly graceMs: number;
}

/** Launched within the grace: the ASG's own newcomer, which is sealed because nobody unsealed it yet. */
function fresh(m: MemberView, t: Timing): boolean {
  const at = m.launchedAt ? Date.parse(m.launchedAt) : Number.NaN;
  return Number.isFinite(at) && t.now - at < t.graceMs;
}

/**
 * The instances to terminate: the named nodes; sealed nodes (in an immutable cluster a node
 * that should serve and does not is replaced — `unseal` is the runbook when a restart merely
 * left it sealed), except the ASG's own fresh newcomers and except when no node serves at all
 * (a whole-cluster restart, which `unseal` fixes); nodes whose Vault does not answer when the
 * ASG marks them Unhealthy or they sit in the lost AZ.
 */
export function victims(view: ClusterView, input: Input, t: Timing): MemberView[] {
  const byName = new Map(view.nodes.map((n) => [n.name, n]));
  const live = view.members.filter(
    (m) => m.lifecycleState === 'InService' || m.lifecycleState === 'Pending',
  );
  const serving = view.nodes.some(healthy);
  const nodeOf = (m: MemberView): NodeView | undefined => (m.node ? byName.get(m.node) : undefined);
  const sealed = (m: MemberView): boolean =>
    nodeOf(m)?.role === 'sealed' && serving && !fresh(m, t);
  const broken = (m: MemberView): boolean => {
    const n = nodeOf(m);
    return !healthy(n) && n?.role !== 'sealed';
  };
  const named = (m: MemberView): boolean =>
    m.node !== undefined && names(input.nodes).includes(m.node);
  const lost = (m: MemberView): boolean => Boolean(input.az) && m.az === input.az;
  return live.filter(
    (m) =>
      // A named node is replaced as asked (the active only after a confirmation).
      named(m) ||
      ((!input.az || lost(m)) && sealed(m)) ||
      (broken(m) && (m.healthStatus === 'Unhealthy' || lost(m))),
  );
}

/**
 * A named node or AZ the cluster does not have: a typo that would otherwise confirm a
 * destructive step and then terminate nothing. Undefined when every name is known.
 */
export function unknownTargets(view: ClusterView, input: Input): string | undefined {
  const known = [
    ...new Set([...view.nodes.map((n) => n.name), ...view.members.flatMap((m) => m.node ?? [])]),
  ];
  const bad = names(input.nodes).filter((n) => !known.includes(n));
  const azs = [...new Set([...(view.azs ?? []), ...view.members.map((m) => m.az)])].sort();
  // A lost AZ can be in neither list: the group may have replaced its instances elsewhere
  // already, and its subnet may have been taken out of the group to stop launches there. An AZ
  // of the group's region is therefore accepted; one of another region is a typo.
  const inRegion = (az: string): boolean =>
    view.region !== undefined &&
    az.length === view.region.length + 1 &&
    az.startsWith(view.region) &&
    /[a-z]$/.test(az);
  const problems = [
    ...(bad.length ? [`unknown node(s) ${bad.join(', ')} (known: ${known.join(', ')})`] : []),
    ...(input.az && !azs.includes(input.az) && !inRegion(input.az)
      ? [
          `AZ ${input.az} is not one of the group's${view.region ? ` nor of its region ${view.region}` : ''} (its AZs: ${azs.join(', ')})`,
        ]
      : []),
  ];
  return problems.length ? problems.join('; ') : undefined;
}

/** Every duration input parses, before anything is confirmed or terminated. */
function durations(input: Input): { timeout: number; interval: number; graceMs: number } {
  const one = (key: 'timeout' | 'interval' | 'sealed-grace', v: string | number): number => {
    try {
      return parseDuration(v);
    } catch (err) {
      throw new UsageError(`${key}: ${errorMessage(err)}`);
    }
  };
  return {
    timeout: one('timeout', input.timeout ?? '5m'),
    interval: one('interval', input.interval ?? '2s'),
    graceMs: one('sealed-grace', input['sealed-grace'] ?? '10m'),
  };
}

/** What the operator reads before the first termination: why each node goes. */
export function victimReasons(view: ClusterView, targets: readonly MemberView[]): string[] {
  const byName = new Map(view.nodes.map((n) => [n.name, n]));
  return targets.map((m) => {
    const n = m.node ? byName.get(m.node) : undefined;
    const who = `${m.node ?? 'no node'} (${m.instanceId}, ${m.az})`;
    if (n?.role === 'sealed')
      return `${who} is sealed: its instance is replaced (a node that should serve is replaced in an immutable cluster). If a restart merely left it sealed, stop here and run \`vault-runbook run unseal\`: it unseals it in place.`;
    return `${who} is ${n ? n.role : 'not answering as any node of the profile'}${m.healthStatus === 'Unhealthy' ? ', marked Unhealthy by the ASG' : ''}: its instance is replaced`;
  });
}

/** Whole again: every node of the profile unsealed, one active, the ASG at its desired size. */
function whole(view: ClusterView): string | undefined {
  const live = view.members.filter((m) => m.lifecycleState === 'InService');
  if (live.length < view.desired)
    return `the Auto Scaling group has ${live.length} of ${view.desired} instance(s) in service`;
  const bad = view.nodes.filter((n) => !healthy(n));
  if (bad.length) return `${bad.map((n) => `${n.name} ${n.role}`).join(', ')}`;
  const active = view.nodes.filter((n) => n.role === 'active').length;
  if (active !== 1) return `${active} active node(s)`;
  return undefined;
}

async function replace(ctx: ActionContext<Input>): Promise<Record<string, unknown>> {
  const vault = requireVault(ctx);
  const { timeout, interval, graceMs } = durations(ctx.input);
  const keeper = new ShareKeeper(ctx, vault);
  const now = (): number => ctx.ports.clock.now().getTime();
  let view = await readView(ctx);
  for (const n of view.nodes) ctx.log(describeNode(n));
  const unknown = unknownTargets(view, ctx.input);
  if (unknown) throw new UsageError(`nothing terminated: ${unknown}`);
  const targets = victims(view, ctx.input, { now: now(), graceMs });
  for (const line of victimReasons(view, targets)) ctx.log(line);
  const byName = new Map(view.nodes.map((n) => [n.name, n]));
  const isActive = (m: MemberView): boolean => byName.get(m.node ?? '')?.role === 'active';
  // The active node last, and only when nothing else is left and a person says so.
  const ordered = [...targets.filter((m) => !isActive(m)), ...targets.filter(isActive)];
  const replaced: string[] = [];
  const gone = new Set<string>();
  const stillUp = new Set<string>();
  try {
    for (const m of ordered) {
      if (isActive(m)) {
        const others = view.nodes.filter((n) => n.role === 'standby');
        const a = await ctx.ask({
          type: 'confirm',
          // Headless: `<step>.active: yes` (the step's own key holds the cluster name).
          answerKey: `${ctx.stepId}.active`,
          message: `${m.node ?? m.instanceId} (${m.instanceId}, ${m.az}) is the ACTIVE node. Terminating it hands leadership to ${others.length ? others.map((n) => n.name).join(', ') : 'nobody: the cluster is down until a newcomer is unsealed'}. Terminate it?`,
          default: false,
        });
        if (!a.value)
          throw new VrError(
            `refused to terminate the active node ${m.node ?? m.instanceId}`,
            ExitCode.aborted,
          );
      }
      ctx.log(
        `terminating ${m.instanceId} (${m.node ?? 'no node'}, ${m.az}); the ASG launches its replacement`,
      );
      await terminateMember(ctx, m.instanceId);
      gone.add(m.instanceId);
      // Its Vault may answer a little longer while the instance shuts down; where the
      // newcomer reuses the address (fixed addresses, the sandbox) that answer is the old one.
      const was = byName.get(m.node ?? '');
      if (was && was.role !== 'unreachable') {
        stillUp.add(was.name);
        // Watch that one address closely until the old Vault stops answering: the gap before a
        // newcomer answers at a reused address is short, and a whole cluster read can miss it.
        if (await stopsAnswering(ctx, was.name)) stillUp.delete(was.name);
      }
      replaced.push(`${m.node ?? '?'}:${m.instanceId}`);
    }
    if (!ordered.length) ctx.log('no instance to terminate: waiting for the ASG and unsealing');
    const started = now();
    let last = '';
    for (;;) {
      view = await readView(ctx);
      for (const name of [...stillUp]) {
        const n = view.nodes.find((x) => x.name === name);
        if (!n || n.role === 'unreachable') stillUp.delete(name);
      }
      // Only a newcomer is unsealed: a sealed victim still shutting down is not worth a share.
      const inService = new Set(
        view.members
          .filter((m) => m.lifecycleState === 'InService' && !gone.has(m.instanceId))
          .map((m) => m.instanceId),
      );
      const sealed = view.nodes.find(
        (n) =>
          n.role === 'sealed' &&
          !stillUp.has(n.name) &&
          n.instanceId !== undefined &&
          inService.has(n.instanceId),
      );
      if (sealed) {
        try {
          await keeper.unseal(
            sealed,
            `instance ${sealed.instanceId ?? '?'} in ${sealed.az ?? '?'}`,
          );
        } catch (err) {
          // The sealed Vault that answered may be the terminated instance's, still shutting
          // down (its address already names the newcomer): once it stops answering, its
          // replacement is waited for like any other, within the timeout.
          const h = await vault.health(sealed, ctx.signal);
          if (h.reachable) throw err;
          ctx.log(
            `${sealed.name} stopped answering while being unsealed (${errorMessage(err)}): waiting for its instance`,
          );
          if (now() - started > timeout) throw err;
          await ctx.ports.clock.sleep(interval, ctx.signal);
        }
        continue;
      }
      const why = stillUp.size
        ? `${[...stillUp].join(', ')}: the terminated instance's Vault still answers (shutting down)`
        : whole(view);
      if (!why) break;
      if (now() - started > timeout)
        throw new VrError(
          `the cluster is not whole after ${Math.round(timeout / 1000)} s: ${why}. It serves on ${serving(view)}.`,
          ExitCode.stepFailed,
          [
            'vault-runbook status   # which node, which instance',
            'read the new instance’s Vault log; then run replace-node again',
          ],
        );
      if (why !== last) ctx.log(`waiting: ${why}`);
      last = why;
      // A shutdown is short: look often, or the gap before the newcomer answers is missed.
      await ctx.ports.clock.sleep(stillUp.size ? Math.min(interval, 250) : interval, ctx.signal);
    }
    for (const n of view.nodes) ctx.log(describeNode(n));
    ctx.log(`keyholders entered ${keeper.entries} share(s) in all`);
    return {
      replaced,
      shareEntries: keeper.entries,
      azs: view.nodes.map((n) => `${n.name}=${n.az ?? '?'}`),
    };
  } finally {
    keeper.clear();
  }
}

/**
 * The runbook's precondition: the named nodes and AZ exist and the durations parse, checked
 * before the destructive confirmation (a typo otherwise confirms a step that does nothing).
 */
export const replaceNodeCheckAction: ActionDef<Input> = {
  id: 'aws.replace-node-check',
  summary:
    'Check replace-node’s inputs against the cluster: named nodes and AZ exist, durations parse (outputs.ok)',
  input: Input,
  idempotent: true,
  human: false,
  describe: () => 'check that the named nodes and AZ exist and the durations parse',
  async run(ctx) {
    durations(ctx.input);
    const view = await readView(ctx);
    const unknown = unknownTargets(view, ctx.input);
    return { ok: unknown === undefined, detail: unknown ?? 'every named node and AZ exists' };
  },
};

export const replaceNodeAction: ActionDef<Input> = {
  id: 'aws.replace-node',
  summary:
    'Terminate failed or sealed nodes’ instances in the ASG (a lost AZ: all of its), let it launch new ones, unseal them, wait until every node is unsealed; the active only with a confirmation',
  input: Input,
  idempotent: true,
  human: true,
  describe: (i) =>
    `replace ${i.az ? `every failed or sealed instance in ${i.az}` : names(i.nodes).length ? names(i.nodes).join(', ') : 'every failed, unhealthy or sealed node'} (a sealed node is replaced, not unsealed in place: when a restart merely left it sealed, run \`unseal\` instead), unseal the newcomers, wait until every node is unsealed`,
  run: replace,
};
