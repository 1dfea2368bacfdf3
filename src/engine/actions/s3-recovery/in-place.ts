import { z } from 'zod';
import { errorMessage, UsageError } from '../../../domain/errors.js';
import type { AwsPort } from '../../aws.js';
import { requireAws } from '../aws.js';
import type { ActionContext, ActionDef, AnyAction } from '../types.js';
import { requireVault } from '../vault.js';
import { answering, dataBucket, liveSession } from './common.js';
import { diffLatest, latestByKey, seconds, versionsOfKey } from './storage.js';

const Where = { bucket: z.string().optional(), 'aws-region': z.string().optional() };

function asgOf(ctx: ActionContext<{ asg?: string | undefined }>): {
  name: string;
  region: string;
} {
  const name = ctx.input.asg ?? ctx.profile?.aws?.asg;
  const region = ctx.profile?.aws?.region;
  if (!name || !region)
    throw new UsageError(
      `${ctx.stepId}: needs the Auto Scaling group (profile aws.asg, aws.region)`,
    );
  return { name, region };
}

async function waitFor(
  ctx: ActionContext<unknown>,
  what: string,
  ms: number,
  test: () => Promise<boolean>,
): Promise<void> {
  const end = ctx.ports.clock.now().getTime() + ms;
  for (;;) {
    if (await test()) return;
    if (ctx.ports.clock.now().getTime() > end) throw new Error(`gave up waiting for ${what}`);
    await ctx.ports.clock.sleep(500, ctx.signal);
  }
}

const RecordIn = z.strictObject({ key: z.string(), asg: z.string().optional(), ...Where });
type RecordIn = z.infer<typeof RecordIn>;

/** Before anything stops: every logical/ object's latest version id, and the ASG's size. */
export const recordLatestAction: ActionDef<RecordIn> = {
  id: 's3.record-latest',
  summary:
    "Record the latest version id of every logical/ object and the Auto Scaling group's size, to prove afterwards that nothing else changed",
  input: RecordIn,
  idempotent: true,
  human: false,
  describe: () => 'record the latest version of every logical/ object and the ASG size',
  async run(ctx) {
    const aws = requireAws(ctx);
    const { bucket, region } = dataBucket(ctx);
    const all = latestByKey(await aws.listObjectVersions(bucket, region, ctx.signal, 'logical/'));
    const { [ctx.input.key]: _restored, ...others } = all;
    const asg = asgOf(ctx);
    const g = await aws.describeAsg(asg.name, asg.region, ctx.signal);
    if (!g) throw new Error(`Auto Scaling group ${asg.name} not found`);
    ctx.log(
      `${Object.keys(others).length} other logical/ object(s) recorded; ${asg.name} desired ${g.desired} (min ${g.min})`,
    );
    return {
      latest: others,
      objects: Object.keys(others).length,
      asg: asg.name,
      desired: g.desired,
      min: g.min,
    };
  },
};

const StopIn = z.strictObject({
  asg: z.string().optional(),
  timeout: z.number().default(120),
  /**
   * The group's size before the stop (the record step's). Not used to stop: it is journaled
   * with the step's start, so a run that ends with the cluster down can say what to bring back.
   */
  desired: z.number().int().nonnegative().optional(),
  min: z.number().int().nonnegative().optional(),
});
type StopIn = z.input<typeof StopIn>;

/** The seeds' rule: restore only while no Vault runs, or its cache writes the old state back. */
export const clusterStopAction: ActionDef<StopIn> = {
  id: 'aws.asg-stop-vault',
  clusterEffect: 'stops',
  summary:
    'Stop every Vault of the cluster: Auto Scaling group to 0 (clean shutdown releases the HA lock), then wait until no node answers',
  input: StopIn,
  idempotent: false,
  human: false,
  describe: (i) =>
    `scale ${i.asg ?? "the profile's"} Auto Scaling group to 0 and wait for every node to stop`,
  async run(ctx) {
    const aws = requireAws(ctx);
    const vault = requireVault(ctx);
    const asg = asgOf(ctx);
    const stoppedAt = ctx.ports.clock.now();
    await aws.scaleAsg(asg.name, 0, asg.region, ctx.signal, 0);
    ctx.log(`${asg.name}: desired 0 — the cluster is DOWN from ${stoppedAt.toISOString()}`);
    await waitFor(ctx, 'every Vault node to stop', (ctx.input.timeout ?? 120) * 1000, async () => {
      const g = await aws.describeAsg(asg.name, asg.region, ctx.signal);
      const up = await answering(vault, ctx.signal);
      return (g?.instances.length ?? 0) === 0 && up.length === 0;
    });
    ctx.log(
      `every node stopped after ${seconds(ctx.ports.clock.now().getTime() - stoppedAt.getTime())}`,
    );
    return { stoppedAt: stoppedAt.toISOString() };
  },
  async probe(ctx) {
    const aws = requireAws(ctx);
    const asg = asgOf(ctx);
    const g = await aws.describeAsg(asg.name, asg.region, ctx.signal);
    if (g?.desired !== 0) return { tookEffect: false, detail: `${asg.name} desired ${g?.desired}` };
    // Scaled but not yet stopped: running the step again scales to 0 (no change) and waits.
    const up = await answering(requireVault(ctx), ctx.signal);
    if (up.length > 0 || g.instances.length > 0)
      return {
        tookEffect: false,
        detail: `${asg.name} is at 0 and the cluster is going DOWN (${up.length} node(s) still answer): waiting for every node to stop`,
      };
    // The interrupted attempt scaled to 0 right after it started: its journaled start is when
    // the downtime began, however long the run then lay dead.
    const stoppedAt = ctx.startedAt ?? ctx.ports.clock.now().toISOString();
    return {
      tookEffect: true,
      outputs: { stoppedAt },
      detail: `${asg.name} is at 0: the cluster is DOWN since ${stoppedAt} (stopped by the interrupted run${ctx.startedAt ? '' : '; its start is not known: downtime counted from now'})`,
    };
  },
};

const RestoreIn = z.strictObject({
  key: z.string(),
  version: z.string(),
  /** The key's latest version id before the run: a different one means someone (we) restored. */
  'latest-before': z.string(),
  ...Where,
});
type RestoreIn = z.infer<typeof RestoreIn>;

async function restoredAlready(
  aws: AwsPort,
  ctx: ActionContext<RestoreIn>,
): Promise<{ done: boolean; latest: string; detail: string }> {
  const { bucket, region } = dataBucket(ctx);
  const vs = versionsOfKey(
    await aws.listObjectVersions(bucket, region, ctx.signal, ctx.input.key),
    ctx.input.key,
  );
  const latest = vs[0];
  const chosen = vs.find((v) => v.versionId === ctx.input.version);
  if (!latest || !chosen) throw new Error(`${ctx.input.key}: version ${ctx.input.version} is gone`);
  const done =
    latest.versionId !== ctx.input['latest-before'] &&
    !latest.deleteMarker &&
    latest.etag !== undefined &&
    latest.etag === chosen.etag;
  return {
    done,
    latest: latest.versionId,
    detail: done
      ? `${ctx.input.key}: the latest version ${latest.versionId} is already a copy of ${chosen.versionId}`
      : `${ctx.input.key}: latest is ${latest.versionId}`,
  };
}

/** Copies the chosen version on top (history kept), only while no Vault node answers. */
export const restoreVersionAction: ActionDef<RestoreIn> = {
  id: 'aws.s3-restore-version',
  summary:
    'Restore an object version by copying it on top (older versions stay); refuses while any Vault node answers',
  input: RestoreIn,
  idempotent: false,
  human: false,
  describe: (i) => `copy version ${i.version} of ${i.key} on top of it`,
  async run(ctx) {
    const aws = requireAws(ctx);
    const vault = requireVault(ctx);
    const up = await answering(vault, ctx.signal);
    if (up.length > 0)
      throw new Error(
        `refusing to restore while Vault runs on ${up.map((n) => n.name).join(', ')}: its cache could write the old state back`,
      );
    const already = await restoredAlready(aws, ctx);
    if (already.done) {
      ctx.log(`${already.detail}: not restored twice`);
      return { versionId: already.latest, restored: false };
    }
    if (already.latest !== ctx.input['latest-before'])
      throw new Error(
        `${ctx.input.key} changed since it was listed (latest now ${already.latest}, was ${ctx.input['latest-before']}): list and choose again`,
      );
    const { bucket, region } = dataBucket(ctx);
    const r = await aws.copyObjectVersion(
      { bucket, key: ctx.input.key, versionId: ctx.input.version },
      { bucket, key: ctx.input.key },
      region,
      ctx.signal,
    );
    ctx.log(
      `s3://${bucket}/${ctx.input.key}: version ${ctx.input.version} copied on top as ${r.versionId}`,
    );
    return { versionId: r.versionId, restored: true };
  },
  async probe(ctx) {
    const r = await restoredAlready(requireAws(ctx), ctx);
    return r.done
      ? { tookEffect: true, outputs: { versionId: r.latest, restored: true }, detail: r.detail }
      : { tookEffect: false, detail: r.detail };
  },
};

const StartIn = z.strictObject({
  asg: z.string().optional(),
  desired: z.number().int().min(1),
  min: z.number().int().min(0),
  timeout: z.number().default(180),
});
type StartIn = z.input<typeof StartIn>;

export const clusterStartAction: ActionDef<StartIn> = {
  id: 'aws.asg-start-vault',
  clusterEffect: 'starts',
  summary:
    'Bring Vault back: the Auto Scaling group to its recorded size, then wait until every node answers (sealed)',
  input: StartIn,
  idempotent: true,
  human: false,
  describe: (i) => `scale the Auto Scaling group back to ${i.desired} and wait for the nodes`,
  async run(ctx) {
    const aws = requireAws(ctx);
    const vault = requireVault(ctx);
    const asg = asgOf(ctx);
    try {
      await aws.scaleAsg(asg.name, ctx.input.desired, asg.region, ctx.signal, ctx.input.min);
    } catch (err) {
      throw new Error(
        `the cluster is still STOPPED (${asg.name} at 0): ${errorMessage(err)}; scale it to ${ctx.input.desired} by hand or resume this run`,
      );
    }
    ctx.log(
      `${asg.name}: desired ${ctx.input.desired} (min ${ctx.input.min}); waiting for the nodes`,
    );
    // A discovering profile's node list is whatever the group held when the step began (none,
    // right after the stop): the count to wait for is the recorded size, found again each pass.
    const discovering = Boolean(ctx.profile?.vault.discover);
    let want = ctx.input.desired;
    await waitFor(
      ctx,
      `the nodes to answer (${asg.name} is at ${ctx.input.desired}; until they answer the cluster is DOWN)`,
      (ctx.input.timeout ?? 180) * 1000,
      async () => {
        const g = await aws.describeAsg(asg.name, asg.region, ctx.signal);
        const inService = (g?.instances ?? []).filter(
          (i) => i.lifecycleState === 'InService',
        ).length;
        if (inService < ctx.input.desired) return false;
        await vault.refresh?.(ctx.signal);
        const known = vault.nodes().length;
        want = discovering ? ctx.input.desired : Math.min(ctx.input.desired, known);
        return known > 0 && (await answering(vault, ctx.signal)).length >= want;
      },
    );
    const upAt = ctx.ports.clock.now().toISOString();
    ctx.log(`${want} node(s) answer (sealed): keyholders unseal next`);
    return { upAt };
  },
};

const VerifyIn = z.strictObject({
  key: z.string(),
  version: z.string(),
  mount: z.string(),
  'secret-path': z.string(),
  kv: z.number(),
  latest: z.record(z.string(), z.string()),
  'stopped-at': z.string(),
  'up-at': z.string(),
  timeout: z.number().default(120),
  ...Where,
});
type VerifyIn = z.input<typeof VerifyIn>;

/**
 * The proof: the secret reads again, the key's latest is a copy of the chosen version, and
 * every other logical/ object's latest version id is what it was; core/ and sys/ writes a new
 * active node makes are reported, not counted. Prints the downtime.
 */
export const verifyRestoreAction: ActionDef<VerifyIn> = {
  id: 's3.verify-restore',
  summary:
    'Prove the restore: the secret reads, every other logical/ object is unchanged; print the downtime',
  input: VerifyIn,
  idempotent: true,
  human: false,
  describe: (i) => `check ${i.key} and every other logical/ object; print the downtime`,
  async run(ctx) {
    const aws = requireAws(ctx);
    const vault = requireVault(ctx);
    const start = ctx.ports.clock.now().getTime();
    let activeAt = start;
    await waitFor(ctx, 'an active node', (ctx.input.timeout ?? 120) * 1000, async () => {
      for (const n of vault.nodes()) {
        const h = await vault.health(n, ctx.signal);
        if (h.reachable && h.code === 200) return true;
      }
      activeAt = ctx.ports.clock.now().getTime();
      return false;
    });
    const { bucket, region } = dataBucket(ctx);
    const all = await aws.listObjectVersions(bucket, region, ctx.signal);
    const key = versionsOfKey(all, ctx.input.key);
    const chosen = key.find((v) => v.versionId === ctx.input.version);
    if (!key[0] || key[0].deleteMarker || key[0].etag !== chosen?.etag)
      throw new Error(`${ctx.input.key}: the latest version is not a copy of ${ctx.input.version}`);
    let keys: string[] = [];
    if (ctx.input.kv === 1) {
      const { node, token } = await liveSession(ctx, 'reading the restored secret');
      const s = await vault.kvRead(
        node,
        token,
        { mount: ctx.input.mount, path: ctx.input['secret-path'], kv: 1 },
        ctx.signal,
      );
      if (!s)
        throw new Error(`${ctx.input.mount}/${ctx.input['secret-path']}: nothing reads there`);
      keys = Object.keys(s.data).sort();
      ctx.log(
        `${ctx.input.mount}/${ctx.input['secret-path']} reads again (keys: ${keys.join(', ')})`,
      );
    }
    const latest = latestByKey(all);
    const logical = Object.fromEntries(
      Object.entries(latest).filter(([k]) => k.startsWith('logical/') && k !== ctx.input.key),
    );
    const d = diffLatest(ctx.input.latest, logical);
    const other = Object.entries(latest).filter(([k]) => !k.startsWith('logical/')).length;
    ctx.log(
      `other logical/ objects: ${d.unchanged} unchanged, ${d.changed.length} changed, ${d.added.length} new, ${d.removed.length} gone; ${other} core/ and sys/ object(s) are Vault's own bookkeeping (not counted)`,
    );
    for (const k of [...d.changed, ...d.added, ...d.removed]) ctx.log(`  CHANGED: ${k}`, 'stderr');
    const stopped = Date.parse(ctx.input['stopped-at']);
    const up = Date.parse(ctx.input['up-at']);
    const typing = Math.max(0, start - up);
    const total = activeAt - stopped;
    ctx.log(
      `downtime: ${seconds(total)} (stopped ${ctx.input['stopped-at']} → active again), of which ${seconds(typing)} waiting for keyholders; ${seconds(total - typing)} excluding typing`,
    );
    if (d.changed.length + d.added.length + d.removed.length > 0)
      throw new Error(
        `${d.changed.length + d.added.length + d.removed.length} other logical/ object(s) changed during the restore`,
      );
    return {
      unchanged: d.unchanged,
      keys,
      downtimeMs: total,
      downtimeExcludingTypingMs: total - typing,
    };
  },
};

export const inPlaceActions: readonly AnyAction[] = [
  recordLatestAction,
  clusterStopAction,
  restoreVersionAction,
  clusterStartAction,
  verifyRestoreAction,
];
