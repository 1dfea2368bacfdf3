import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import { ExitCode, VrError } from '../../domain/errors.js';
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
});
type Input = z.infer<typeof Input>;

function names(v: Input['nodes']): string[] {
  const list = typeof v === 'string' ? v.split(',') : (v ?? []);
  return list.map((x) => x.trim()).filter(Boolean);
}

const healthy = (n: NodeView | undefined): boolean =>
  n !== undefined && (n.role === 'active' || n.role === 'standby');

/**
 * The instances to terminate: the named nodes, and those the ASG marks Unhealthy or that sit in
 * the lost AZ when their Vault does not answer. A sealed node is unsealed, never terminated:
 * shares fix it, and a new instance would come up sealed anyway.
 */
export function victims(view: ClusterView, input: Input): MemberView[] {
  const byName = new Map(view.nodes.map((n) => [n.name, n]));
  const live = view.members.filter(
    (m) => m.lifecycleState === 'InService' || m.lifecycleState === 'Pending',
  );
  const broken = (m: MemberView): boolean => {
    const n = m.node ? byName.get(m.node) : undefined;
    return !healthy(n) && n?.role !== 'sealed';
  };
  const named = (m: MemberView): boolean =>
    m.node !== undefined && names(input.nodes).includes(m.node);
  return live.filter(
    (m) =>
      // A named node is replaced as asked (the active only after a confirmation).
      (named(m) && byName.get(m.node ?? '')?.role !== 'sealed') ||
      (broken(m) && (m.healthStatus === 'Unhealthy' || (Boolean(input.az) && m.az === input.az))),
  );
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
  const timeout = parseDuration(ctx.input.timeout ?? '5m');
  const interval = parseDuration(ctx.input.interval ?? '2s');
  const keeper = new ShareKeeper(ctx, vault);
  const now = (): number => ctx.ports.clock.now().getTime();
  let view = await readView(ctx);
  for (const n of view.nodes) ctx.log(describeNode(n));
  const targets = victims(view, ctx.input);
  const byName = new Map(view.nodes.map((n) => [n.name, n]));
  const isActive = (m: MemberView): boolean => byName.get(m.node ?? '')?.role === 'active';
  // The active node last, and only when nothing else is left and a person says so.
  const ordered = [...targets.filter((m) => !isActive(m)), ...targets.filter(isActive)];
  const replaced: string[] = [];
  try {
    for (const m of ordered) {
      if (isActive(m)) {
        const others = view.nodes.filter((n) => n.role === 'standby');
        const a = await ctx.ask({
          type: 'confirm',
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
      replaced.push(`${m.node ?? '?'}:${m.instanceId}`);
    }
    if (!ordered.length) ctx.log('no instance to terminate: waiting for the ASG and unsealing');
    const started = now();
    let last = '';
    for (;;) {
      view = await readView(ctx);
      const sealed = view.nodes.find((n) => n.role === 'sealed');
      if (sealed) {
        await keeper.unseal(sealed, `instance ${sealed.instanceId ?? '?'} in ${sealed.az ?? '?'}`);
        continue;
      }
      const why = whole(view);
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
      await ctx.ports.clock.sleep(interval, ctx.signal);
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

export const replaceNodeAction: ActionDef<Input> = {
  id: 'aws.replace-node',
  summary:
    'Terminate failed nodes’ instances in the ASG (a lost AZ: all of its), let it launch new ones, unseal them, wait until every node is unsealed; the active only with a confirmation',
  input: Input,
  idempotent: true,
  human: true,
  describe: (i) =>
    `replace ${i.az ? `every failed instance in ${i.az}` : names(i.nodes).length ? names(i.nodes).join(', ') : 'every failed or unhealthy node'}, unseal the newcomers, wait until every node is unsealed`,
  run: replace,
};
