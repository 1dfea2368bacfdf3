import { z } from 'zod';
import { replicationLag } from '../../domain/cluster.js';
import { parseDuration } from '../../domain/duration.js';
import { ExitCode, UsageError, VrError } from '../../domain/errors.js';
import {
  compareVersions,
  nextMove,
  upgradeBlocker,
  upgradeOrder,
  type ClusterView,
  type Target,
} from '../../domain/upgrade.js';
import { operatorToken } from '../operator-token.js';
import { replaceNodeAction, replaceNodeCheckAction } from './replace-node.js';
import type { ActionContext, ActionDef, AnyAction } from './types.js';
import {
  imageBuildAction,
  launchTemplateVersionAction,
  previousImageAction,
  targetVersion,
} from './upgrade-image.js';
import {
  describeNode,
  readView,
  serving,
  ShareKeeper,
  terminateMember,
  upgradeAws,
} from './upgrade-view.js';
import { requireVault } from './vault.js';

const VERSION = /^\d+\.\d+\.\d+$/;

/** The plan as one line per node, in the order the upgrade takes them. */
export function planLines(view: ClusterView): string[] {
  return upgradeOrder(view).map(
    (n, i) =>
      `${i + 1}. ${describeNode(n)}${n.role === 'active' ? ' — last, by a clean shutdown (SIGTERM releases the HA lock; no step-down)' : ''}`,
  );
}

const CheckInput = z.strictObject({
  check: z.enum(['cluster', 'backup', 'replication', 'target']),
  version: z.string().optional(),
  ami: z.string().optional(),
  /** The rollback runbook goes to an older version on purpose. */
  'allow-downgrade': z.boolean().optional(),
  'max-lag': z.union([z.string(), z.number()]).optional(),
});
type CheckInput = z.infer<typeof CheckInput>;

async function check(ctx: ActionContext<CheckInput>): Promise<{ ok: boolean; detail: string }> {
  const i = ctx.input;
  const a = ctx.profile?.aws;
  switch (i.check) {
    case 'cluster': {
      const view = await readView(ctx);
      const why = upgradeBlocker(view);
      if (why) return { ok: false, detail: why };
      return { ok: true, detail: `plan: ${planLines(view).join('; ')}` };
    }
    case 'backup': {
      if (!a?.data_bucket) return { ok: false, detail: 'the profile names no aws.data_bucket' };
      const st = await upgradeAws(ctx).bucketVersioning(a.data_bucket, a.region, ctx.signal);
      return st === 'Enabled'
        ? { ok: true, detail: `${a.data_bucket}: versioning Enabled` }
        : {
            ok: false,
            detail: `${a.data_bucket}: versioning ${st}: without object versions there is no way back from a bad write`,
          };
    }
    case 'replication': {
      if (!a?.data_bucket || !a.dr_data_bucket)
        return { ok: true, detail: 'no DR bucket configured: nothing to check' };
      const aws = upgradeAws(ctx);
      // Current objects only, uncapped: the gate needs the whole count, not the version history.
      const [p, d] = await Promise.all([
        aws.listObjects(a.data_bucket, a.region, ctx.signal),
        aws.listObjects(a.dr_data_bucket, a.dr_region ?? a.region, ctx.signal),
      ]);
      const lag = replicationLag(p.objects, d.objects, ctx.ports.clock.now());
      const max = parseDuration(i['max-lag'] ?? '5m');
      const detail = `${a.data_bucket} → ${a.dr_data_bucket}: ${lag.pendingObjects} object(s) pending, lag ${lag.lagSeconds} s`;
      return { ok: lag.lagSeconds * 1000 <= max, detail };
    }
    case 'target': {
      const t = await targetVersion(ctx, i.version || undefined, i.ami || undefined);
      const view = await readView(ctx);
      const running = [...new Set(view.nodes.flatMap((n) => (n.version ? [n.version] : [])))];
      const newer = view.nodes.filter(
        (n) => n.version && compareVersions(n.version, t.version) > 0,
      );
      if (newer.length && !i['allow-downgrade'])
        return {
          ok: false,
          detail: `the target Vault ${t.version} is older than ${newer.map((n) => `${n.name} (${n.version})`).join(', ')}: an upgrade never goes back (that is rollback-upgrade, with its storage-format check)`,
        };
      return {
        ok: true,
        detail: `target Vault ${t.version}; running ${running.join(', ') || 'unknown'}`,
      };
    }
  }
}

export const upgradeCheckAction: ActionDef<CheckInput> = {
  id: 'upgrade.check',
  summary:
    'Preconditions of an upgrade: cluster (all unsealed, one active; shows the plan), backup (data bucket versioned), replication (DR lag), target (not older than a running node)',
  input: CheckInput,
  idempotent: true,
  human: false,
  describe: (i) => `check ${i.check} before the upgrade`,
  run: check,
};

const RollInput = z.strictObject({
  ami: z.string().min(1),
  version: z.string().regex(VERSION, 'a Vault version like 1.14.8'),
  /** How long a newcomer (or the ASG's launch) may take to become an unsealed node. */
  'newcomer-timeout': z.union([z.string(), z.number()]).optional(),
  interval: z.union([z.string(), z.number()]).optional(),
});
type RollInput = z.infer<typeof RollInput>;

/** The run stops with the cluster serving on the rest; the message says what to do next. */
function stopError(why: string, view: ClusterView | undefined, runId: string): VrError {
  const steps = [
    'read the new instance’s Vault log (on AWS: journalctl -u vault through SSM; sandbox: its logs dir)',
    `fix the image or the instance, then: vault-runbook resume ${runId}`,
    'or go back to the previous image: vault-runbook run rollback-upgrade',
  ];
  return new VrError(
    `${why}. Stopped here: nothing else was replaced; the cluster serves on ${view ? serving(view) : 'the nodes that answer'}. What to do: ${steps.join('; ')}.`,
    ExitCode.stepFailed,
    steps,
  );
}

/**
 * The replacements: every standby in turn (a newcomer must be an unsealed standby on the target
 * before the next is touched), then the active by a clean shutdown. Each pass decides from the
 * live view (domain/upgrade.ts), so running it again after an interruption continues the work.
 */
async function roll(ctx: ActionContext<RollInput>): Promise<Record<string, unknown>> {
  const vault = requireVault(ctx);
  const target: Target = { imageId: ctx.input.ami, version: ctx.input.version };
  const timeout = parseDuration(ctx.input['newcomer-timeout'] ?? '5m');
  const interval = parseDuration(ctx.input.interval ?? '2s');
  const keeper = new ShareKeeper(ctx, vault);
  const waitingSince = new Map<string, number>();
  const replaced: string[] = [];
  let last = '';
  let view: ClusterView | undefined;
  const now = (): number => ctx.ports.clock.now().getTime();
  try {
    for (;;) {
      view = await readView(ctx);
      const move = nextMove(view, target, 'active');
      const say = (s: string): void => {
        if (s !== last) ctx.log(s);
        last = s;
      };
      switch (move.kind) {
        case 'done':
          ctx.log(`done: ${move.detail}`);
          ctx.log(
            `keyholders entered ${keeper.entries} share(s) in all for ${replaced.length} replacement(s)`,
          );
          return {
            replaced,
            shareEntries: keeper.entries,
            active: view.nodes.find((n) => n.role === 'active')?.name ?? '',
            versions: view.nodes.map((n) => `${n.name}=${n.version ?? '?'}`),
          };
        case 'stop':
          throw stopError(move.why, view, ctx.runId);
        case 'wait': {
          const key = move.instanceId ?? 'asg';
          const since = waitingSince.get(key) ?? now();
          waitingSince.set(key, since);
          if (now() - since > timeout)
            throw stopError(
              `${move.why} — still, after ${Math.round(timeout / 1000)} s: the newcomer did not become a healthy unsealed node on Vault ${target.version}`,
              view,
              ctx.runId,
            );
          say(`waiting: ${move.why}`);
          await ctx.ports.clock.sleep(interval, ctx.signal);
          break;
        }
        case 'unseal':
          say(`${move.node.name}: new instance ${move.instanceId} is up and sealed`);
          await keeper.unseal(
            move.node,
            `new instance ${move.instanceId}, Vault ${target.version}`,
          );
          // The keyholders' time is not the newcomer's: its clock starts again.
          waitingSince.delete(move.instanceId);
          break;
        case 'replace': {
          const n = move.node;
          ctx.log(
            move.role === 'active'
              ? `${n.name} (active, ${move.instanceId}, ${n.az ?? '?'}, Vault ${n.version ?? '?'}): every standby runs ${target.version}; terminating its instance — Vault gets SIGTERM, releases the HA lock, and a new-version standby takes over (no step-down)`
              : `${n.name} (standby, ${move.instanceId}, ${n.az ?? '?'}, Vault ${n.version ?? '?'}): terminating its instance; the ASG launches one from the new template`,
          );
          await terminateMember(ctx, move.instanceId);
          replaced.push(`${n.name}:${move.instanceId}`);
          last = '';
          break;
        }
      }
    }
  } finally {
    // The shares go with the step: later runs and steps never see them.
    keeper.clear();
  }
}

export const rollAction: ActionDef<RollInput> = {
  id: 'upgrade.replace-nodes',
  summary:
    'Replace every instance not on the AMI: standbys one by one (each newcomer unsealed and healthy before the next), then the active by a clean shutdown',
  input: RollInput,
  idempotent: false,
  human: true,
  describe: (i) =>
    `replace every instance not on ${i.ami} (Vault ${i.version}): standbys one at a time, each unsealed and a healthy standby before the next; then the active, by terminating its instance (SIGTERM, HA lock released; never sys/step-down)`,
  async probe(ctx) {
    const view = await readView(ctx);
    const move = nextMove(view, { imageId: ctx.input.ami, version: ctx.input.version }, 'active');
    return move.kind === 'done'
      ? { tookEffect: true, outputs: { replaced: [], shareEntries: 0 }, detail: move.detail }
      : {
          tookEffect: false,
          detail: `not finished: next ${move.kind}${'why' in move ? ` (${move.why})` : 'node' in move ? ` ${move.node.name}` : ''}; continuing from the live state`,
        };
  },
  run: roll,
};

const VerifyInput = z.strictObject({
  version: z.string(),
  /** A KV v1 or v2 path `mount/path` whose data must read back. */
  canary: z.string().optional(),
  kv: z.union([z.literal(1), z.literal(2), z.literal('1'), z.literal('2')]).optional(),
});

export const verifyAction: ActionDef<z.infer<typeof VerifyInput>> = {
  id: 'upgrade.verify',
  summary: 'Every node unsealed on the version, one active, and a canary secret reads back',
  input: VerifyInput,
  idempotent: true,
  human: false,
  describe: (i) =>
    `check every node runs Vault ${i.version}${i.canary ? ` and ${i.canary} reads back` : ''}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const view = await readView(ctx);
    for (const n of view.nodes) ctx.log(describeNode(n));
    const off = view.nodes.filter(
      (n) => (n.role !== 'active' && n.role !== 'standby') || n.version !== ctx.input.version,
    );
    if (off.length)
      throw new Error(
        `not every node is an unsealed Vault ${ctx.input.version}: ${off.map((n) => `${n.name} ${n.role} ${n.version ?? '?'}`).join(', ')}`,
      );
    const active = view.nodes.filter((n) => n.role === 'active');
    if (active.length !== 1) throw new Error(`${active.length} active node(s), expected one`);
    if (!ctx.input.canary) return { active: active[0]?.name ?? '', canary: 'not checked' };
    const [mount, ...rest] = ctx.input.canary.split('/');
    if (!mount || rest.length === 0)
      throw new UsageError(`canary '${ctx.input.canary}' is not mount/path`);
    const node = vault.nodes().find((n) => n.name === active[0]?.name) ?? vault.nodes()[0];
    if (!node) throw new Error('no node');
    const { token } = await operatorToken(ctx, node, 'reading the canary secret');
    const s = await vault.kvRead(
      node,
      token,
      { mount, path: rest.join('/'), kv: Number(ctx.input.kv ?? 1) as 1 | 2 },
      ctx.signal,
    );
    if (!s || Object.keys(s.data).length === 0)
      throw new Error(`the canary ${ctx.input.canary} does not read back`);
    ctx.log(`canary ${ctx.input.canary} reads back (${Object.keys(s.data).length} field(s))`);
    return { active: active[0]?.name ?? '', canary: 'read back' };
  },
};

export const upgradeActions: readonly AnyAction[] = [
  previousImageAction,
  replaceNodeAction,
  replaceNodeCheckAction,
  upgradeCheckAction,
  imageBuildAction,
  launchTemplateVersionAction,
  rollAction,
  verifyAction,
];
