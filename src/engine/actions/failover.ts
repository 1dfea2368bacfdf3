import { z } from 'zod';
import { automatedSeconds } from '../../domain/failover.js';
import { operatorToken } from '../operator-token.js';
import { isPermissionDenied, type VaultNode, type VaultPort } from '../vault.js';
import { errorMessage } from '../../domain/errors.js';
import { failoverAws, need, probe, regionView, timedAsk, type Side } from './failover-common.js';
import { OperatorDeclined } from './human.js';
import type { ActionContext, ActionDef, ProbeResult } from './types.js';
import { requireVault } from './vault.js';

const Insist = z.strictObject({ 'primary-healthy': z.boolean(), summary: z.string() });

/** A failover of a healthy primary happens only when a person insists, in so many words. */
export const insistAction: ActionDef<z.infer<typeof Insist>> = {
  id: 'failover.insist',
  summary:
    'When the assessment found the primary healthy, stop unless the operator insists (answer: insist)',
  input: Insist,
  idempotent: true,
  human: true,
  describe: () => 'if the primary is healthy: stop, unless the operator insists',
  async run(ctx) {
    if (!ctx.input['primary-healthy']) return { insisted: false, needed: false };
    const a = await ctx.ask({
      type: 'choose',
      message: `${ctx.input.summary}\n\nThe primary region is serving. A failover now would take a healthy cluster down and lose what DR lacks. Stop here?`,
      options: [
        { value: 'stop', label: 'Stop: no failover' },
        {
          value: 'insist',
          label: 'Insist: fail over anyway',
          description: 'e.g. the region is being evacuated; you know something the probes do not',
        },
      ],
    });
    if (a.value !== 'insist') throw new OperatorDeclined(ctx.stepId);
    ctx.log(`${ctx.operator} insisted on failing over a primary that answers`);
    return { insisted: true, needed: true };
  },
};

const Declare = z.strictObject({
  summary: z.string(),
  question: z.string(),
  /** Refuse to go on when this is false (e.g. the DR side is not ready). */
  ready: z.boolean().default(true),
  'not-ready': z.string().default('the target is not ready'),
});

/** The destructive decision, typed as the cluster name with the assessment on screen. */
export const declareAction: ActionDef<z.input<typeof Declare>> = {
  id: 'failover.declare',
  summary:
    'Destructive decision with the assessment on screen: the operator types the cluster name; records who and when',
  input: Declare,
  idempotent: true,
  human: true,
  describe: (i) => `declare: ${i.question} (type the cluster name)`,
  async run(ctx) {
    const i = Declare.parse(ctx.input);
    if (!i.ready) throw new Error(`not declaring: ${i['not-ready']}`);
    const a = await ctx.ask({
      type: 'destructive',
      message: `${i.summary}\n\n${i.question} Type the cluster name (${ctx.clusterName}) to declare it.`,
      expect: ctx.clusterName,
    });
    if (a.typed !== ctx.clusterName) throw new OperatorDeclined(ctx.stepId);
    const at = ctx.ports.clock.now().toISOString();
    ctx.log(`declared by ${ctx.operator} at ${at}`);
    return { declared_at: at, declared_by: ctx.operator };
  },
};

const Fence = z.strictObject({
  region: z.enum(['primary', 'dr']).default('primary'),
  /** Scale the region's ASG to 0 (primary); false only seals (DR while data moves). */
  scale: z.boolean().default(true),
  /** How long sealing may take: each sealed active hands the lock to the next standby. */
  'seal-within': z.number().int().min(1).default(60),
});
type FenceIn = z.input<typeof Fence>;

const FENCE_CHECKLIST = [
  'No Vault node of the primary answers, and none can come back by itself (instances stopped or the region isolated)',
  'The primary instances cannot write to the data bucket or the lock table (region unreachable, or their IAM role detached)',
  'Someone will scale the primary Auto Scaling group to 0 as soon as its API answers again',
];

function regionNodes(vault: VaultPort, side: Side): readonly VaultNode[] {
  return side === 'dr' ? vault.drNodes() : vault.nodes();
}

/** Nodes of the region that answer unsealed (could write), and which of them is active. */
async function unsealedNodes(
  vault: VaultPort,
  nodes: readonly VaultNode[],
  signal: AbortSignal,
): Promise<{ node: VaultNode; active: boolean }[]> {
  const hs = await Promise.all(nodes.map(async (n) => ({ n, h: await vault.health(n, signal) })));
  return hs
    .filter((x) => x.h.reachable && x.h.body.sealed === false)
    .map((x) => ({ node: x.n, active: x.h.reachable && x.h.code === 200 }));
}

/**
 * Seals every node that answers unsealed. Only the active can be sealed through the API (a
 * standby refuses, or forwards to the active); each sealed active releases the lock and the
 * next standby takes it, so this chases the active until none is left.
 */
async function sealAll(
  ctx: ActionContext<FenceIn>,
  vault: VaultPort,
  nodes: readonly VaultNode[],
  withinS: number,
): Promise<{ sealed: string[]; left: string[] }> {
  const sealed: string[] = [];
  const end = ctx.ports.clock.now().getTime() + withinS * 1000;
  // Rounds of 500 ms: bounded by count too, so a clock that stands still cannot spin forever.
  for (let round = 0; ; round++) {
    const up = await unsealedNodes(vault, nodes, ctx.signal);
    if (up.length === 0) return { sealed, left: [] };
    if (ctx.ports.clock.now().getTime() > end || round >= withinS * 2)
      return { sealed, left: up.map((u) => u.node.name) };
    const target = up.find((u) => u.active);
    if (target) {
      const tok = await operatorToken(ctx, target.node, `sealing ${target.node.name} (fence)`);
      try {
        await vault.seal(target.node, tok.token, ctx.signal);
        sealed.push(target.node.name);
        ctx.log(`${target.node.name}: sealed`);
      } catch (err) {
        // The token will not gain the right by asking again: say what is missing at once.
        if (isPermissionDenied(err))
          throw new Error(
            `${target.node.name}: the operator token may not seal (its policy needs update+sudo on sys/seal): the ${ctx.input.region ?? 'primary'} region is NOT fenced`,
          );
        ctx.log(`${target.node.name}: seal refused: ${errorMessage(err)}`, 'stderr');
      }
    }
    await ctx.ports.clock.sleep(500, ctx.signal);
  }
}

async function fenceState(
  ctx: ActionContext<FenceIn>,
): Promise<{ desired?: number; unsealed: string[] }> {
  const i = Fence.parse(ctx.input);
  const vault = requireVault(ctx);
  const aws = failoverAws(ctx);
  const r = regionView(ctx.profile, i.region);
  const g = await probe(ctx, (s) => aws.describeAsg(need(r.asg, 'the ASG'), r.region, s));
  const up = await unsealedNodes(vault, regionNodes(vault, i.region), ctx.signal);
  return {
    ...(g.ok && g.value ? { desired: g.value.desired } : {}),
    unsealed: up.map((u) => u.node.name),
  };
}

/** Fences a region so it can never write while the other serves; never scales anything up. */
export const fenceAction: ActionDef<FenceIn> = {
  id: 'failover.fence',
  summary:
    'Fence a region: its ASG to 0 and every node that answers sealed; when its APIs do not answer, the operator acknowledges how it is fenced',
  input: Fence,
  idempotent: false,
  human: true,
  describe: (i) =>
    `fence the ${i.region ?? 'primary'} region: ${i.scale === false ? '' : 'scale its ASG to 0, '}seal every node that answers`,
  async run(ctx) {
    const i = Fence.parse(ctx.input);
    const vault = requireVault(ctx);
    const aws = failoverAws(ctx);
    const r = regionView(ctx.profile, i.region);
    const spent = { ms: 0 };
    const g = await probe(ctx, (s) => aws.describeAsg(need(r.asg, 'the ASG'), r.region, s));
    let how: string;
    let previous = -1;
    if (g.ok && g.value) {
      previous = g.value.desired;
      if (i.scale && g.value.desired > 0) {
        await aws.setAsgCapacity(
          g.value.name,
          r.region,
          { min: 0, desired: 0, max: g.value.max },
          ctx.signal,
        );
        ctx.log(`${g.value.name} (${r.region}): desired ${g.value.desired} → 0`);
      } else if (i.scale) ctx.log(`${g.value.name} (${r.region}): already at desired 0`);
      how = i.scale ? 'asg-scaled-to-0' : 'sealed';
    } else {
      const why = g.ok ? `${r.asg} not found` : g.error;
      ctx.log(`the ${i.region} region's Auto Scaling API does not answer: ${why}`, 'stderr');
      if (i.region !== 'primary') throw new Error(`cannot fence the ${i.region} region: ${why}`);
      const a = await timedAsk(ctx, spent).ask({
        type: 'checklist',
        message: `The primary's AWS APIs do not answer (${why}), so this run cannot scale it to 0. DR may be promoted only when the primary can never write again. Confirm each point; your name goes into the journal.`,
        items: FENCE_CHECKLIST,
      });
      const missing = FENCE_CHECKLIST.filter((x) => !a.checked.includes(x));
      if (missing.length) throw new Error(`not fenced: not confirmed: ${missing.join('; ')}`);
      how = 'acknowledged-by-operator';
      ctx.log(`fencing acknowledged by ${ctx.operator}`);
    }
    const nodes = regionNodes(vault, i.region);
    const { sealed, left } = await sealAll(ctx, vault, nodes, i['seal-within']);
    if (left.length)
      throw new Error(
        `${left.join(', ')} still answer unsealed after ${i['seal-within']} s: the ${i.region} region is NOT fenced`,
      );
    ctx.log(
      `the ${i.region} region is fenced (${how}${sealed.length ? `; sealed ${sealed.join(', ')}` : ''})`,
    );
    return {
      fenced: true,
      how,
      by: ctx.operator,
      previous_desired: previous,
      sealed,
      human_ms: spent.ms,
    };
  },
  async probe(ctx): Promise<ProbeResult<Record<string, unknown>>> {
    const i = Fence.parse(ctx.input);
    const s = await fenceState(ctx);
    const scaled = !i.scale || s.desired === 0;
    const ok = scaled && s.unsealed.length === 0;
    return {
      tookEffect: ok,
      detail: ok
        ? `the ${i.region} region is fenced (ASG ${s.desired ?? 'unknown'}, no node unsealed)`
        : `not fenced yet (ASG desired ${s.desired ?? 'unknown'}, unsealed: ${s.unsealed.join(', ') || 'none'})`,
      ...(ok
        ? {
            outputs: {
              fenced: true,
              how: i.scale ? 'asg-scaled-to-0' : 'sealed',
              by: ctx.operator,
              previous_desired: -1,
              sealed: [],
              human_ms: 0,
            },
          }
        : {}),
    };
  },
};

const Rto = z.strictObject({
  'declared-at': z.string(),
  'human-ms': z.array(z.number()).default([]),
});

/** The automated part of the failover, printed and kept in the journal as this step's outputs. */
export const rtoAction: ActionDef<z.input<typeof Rto>> = {
  id: 'failover.rto',
  summary:
    'Measure the automated part of a failover: declaration → DR serving, minus the time people spent at prompts',
  input: Rto,
  idempotent: true,
  human: false,
  describe: () => 'measure the automated part (declare → DR serving, minus share entry)',
  run(ctx) {
    const i = Rto.parse(ctx.input);
    const now = ctx.ports.clock.now().toISOString();
    const r = automatedSeconds(i['declared-at'], now, i['human-ms']);
    ctx.log(
      `RTO automated part: ${r.automated} s (declared at ${i['declared-at']}, serving at ${now}: ${r.total} s, of which people spent ${r.human} s at prompts)`,
    );
    return Promise.resolve({
      rto_automated_seconds: r.automated,
      rto_total_seconds: r.total,
      human_seconds: r.human,
      serving_at: now,
    });
  },
};
