import { z } from 'zod';
import { failbackPlan, type FailbackPlan } from '../../domain/failover.js';
import type { VaultNode, VaultPort } from '../vault.js';
import { failoverAws, need, regionView } from './failover-common.js';
import type { ActionContext, ActionDef, ProbeResult } from './types.js';
import { requireVault } from './vault.js';

const None = z.strictObject({});

async function plan(
  ctx: ActionContext<unknown>,
): Promise<FailbackPlan & { pb: string; db: string }> {
  const aws = failoverAws(ctx);
  const p = regionView(ctx.profile, 'primary');
  const d = regionView(ctx.profile, 'dr');
  const pb = need(p.bucket, 'aws.data_bucket');
  const db = need(d.bucket, 'aws.dr_data_bucket');
  const [pv, dv] = await Promise.all([
    aws.listObjectVersions(pb, p.region, ctx.signal),
    aws.listObjectVersions(db, d.region, ctx.signal),
  ]);
  return { ...failbackPlan(pv, dv), pb, db };
}

/**
 * The primary ASG's size when it wants instances before the failback starts them: after a
 * failover whose fence could not scale it (its APIs were down), the region came back with it.
 * An ASG that cannot be read here is left to the fence step, which says why.
 */
async function primaryWanted(
  ctx: ActionContext<unknown>,
): Promise<{ name: string; desired: number } | undefined> {
  const p = regionView(ctx.profile, 'primary');
  if (!p.asg) return undefined;
  const g = await failoverAws(ctx)
    .describeAsg(p.asg, p.region, ctx.signal)
    .catch(() => undefined);
  return g && g.desired > 0 ? { name: g.name, desired: g.desired } : undefined;
}

/** Read-only: what the primary holds that never replicated, and what a failback will change. */
export const divergenceAction: ActionDef<z.infer<typeof None>> = {
  id: 'failback.divergence',
  summary:
    'Before a failback touches anything: writes the primary holds that never reached DR (superseded), and what DR wrote since',
  input: None,
  idempotent: true,
  human: false,
  describe: () => 'compare the primary and DR buckets and list the divergence (changes nothing)',
  async run(ctx) {
    const [r, stray] = await Promise.all([plan(ctx), primaryWanted(ctx)]);
    const lines: string[] = [];
    if (stray)
      lines.push(
        `the primary ASG ${stray.name} wants ${stray.desired} instance(s) while DR serves (the failover could not scale it to 0): they boot sealed on the primary's old data; step fence-primary scales it to 0 before anything else changes`,
      );
    if (r.lost.length === 0)
      lines.push('every write the primary holds reached DR before the failover: nothing was lost');
    else {
      lines.push(
        `${r.lost.length} write(s) on the primary never reached DR and are SUPERSEDED by what DR served since (their versions stay in ${r.pb}'s history for review):`,
      );
      for (const l of r.lost)
        lines.push(
          `  ${l.key}  primary ${l.primaryVersion} (${l.primaryModified})  DR now ${l.drNow}`,
        );
    }
    const copies = r.changes.filter((c) => c.op === 'copy');
    const retires = r.changes.filter((c) => c.op === 'retire');
    lines.push(
      `to make ${r.pb} exactly ${r.db}: copy ${copies.length} object(s) DR wrote or holds newer; retire ${retires.length} primary-only object(s) with a delete marker`,
    );
    for (const c of r.changes.slice(0, 30))
      lines.push(`  ${c.op === 'copy' ? 'copy  ' : 'retire'} ${c.key}`);
    if (r.changes.length > 30) lines.push(`  … and ${r.changes.length - 30} more`);
    for (const l of lines) ctx.log(l);
    return {
      primary_desired: stray?.desired ?? 0,
      lost: r.lost.map((l) => ({ ...l })),
      lost_keys: r.lost.map((l) => l.key),
      copies: copies.length,
      retires: retires.length,
      summary: lines.join('\n'),
    };
  },
};

async function anyUnsealed(
  vault: VaultPort,
  nodes: readonly VaultNode[],
  signal: AbortSignal,
): Promise<string[]> {
  const hs = await Promise.all(nodes.map(async (n) => ({ n, h: await vault.health(n, signal) })));
  return hs.filter((x) => x.h.reachable && x.h.body.sealed === false).map((x) => x.n.name);
}

/**
 * Makes the primary bucket's current state exactly DR's: DR's current version of every object
 * it wrote or holds newer is copied over, primary-only objects get a delete marker (history
 * kept). Only while both clusters are down (S3 restores only offline, DESIGN §8).
 */
export const syncAction: ActionDef<z.infer<typeof None>> = {
  id: 'failback.sync-buckets',
  summary:
    'Make the primary bucket’s current state exactly the DR bucket’s (copy DR’s objects, delete-mark primary-only ones), both clusters offline',
  input: None,
  idempotent: true,
  human: false,
  describe: () =>
    'copy what DR wrote since the failover to the primary bucket; retire primary-only objects',
  async run(ctx) {
    const vault = requireVault(ctx);
    const aws = failoverAws(ctx);
    const busy = [
      ...(await anyUnsealed(vault, vault.drNodes(), ctx.signal)),
      ...(await anyUnsealed(vault, vault.nodes(), ctx.signal)),
    ];
    if (busy.length)
      throw new Error(
        `${busy.join(', ')} answer unsealed: a Vault could write while the data moves (fence DR first, keep the primary stopped)`,
      );
    const p = regionView(ctx.profile, 'primary');
    const d = regionView(ctx.profile, 'dr');
    const r = await plan(ctx);
    let copied = 0;
    let retired = 0;
    for (const c of r.changes) {
      if (c.op === 'copy') {
        const body = await aws.getObject(r.db, d.region, c.key, c.drVersion ?? 'null', ctx.signal);
        const v = await aws.putObject(r.pb, p.region, c.key, body, ctx.signal);
        copied++;
        ctx.log(`copied ${c.key} (DR ${c.drVersion}) → primary version ${v}`);
      } else {
        const v = await aws.deleteObject(r.pb, p.region, c.key, ctx.signal);
        retired++;
        ctx.log(`retired ${c.key} (primary ${c.primaryVersion}): delete marker ${v}`);
      }
    }
    const after = await plan(ctx);
    if (after.changes.length)
      throw new Error(
        `${after.changes.length} object(s) still differ after the copy (${after.changes
          .slice(0, 5)
          .map((c) => c.key)
          .join(', ')}): something wrote during the failback`,
      );
    ctx.log(`${r.pb} now holds exactly what ${r.db} holds (${copied} copied, ${retired} retired)`);
    return { copied, retired };
  },
  async probe(ctx): Promise<ProbeResult<Record<string, unknown>>> {
    const r = await plan(ctx);
    return {
      tookEffect: r.changes.length === 0,
      detail: `${r.changes.length} object(s) differ`,
      ...(r.changes.length === 0 ? { outputs: { copied: 0, retired: 0 } } : {}),
    };
  },
};

/** Re-establishes primary → DR replication once both buckets agree. */
export const replicationResumeAction: ActionDef<z.infer<typeof None>> = {
  id: 'aws.s3-replication-resume',
  summary: 'Re-enable primary → DR replication of the data bucket',
  input: None,
  idempotent: true,
  human: false,
  describe: () => 're-enable primary → DR replication of the data bucket',
  async run(ctx) {
    const aws = failoverAws(ctx);
    const p = regionView(ctx.profile, 'primary');
    const pb = need(p.bucket, 'aws.data_bucket');
    const before = await aws.replicationLink(pb, p.region, ctx.signal);
    if (before.enabled) {
      ctx.log(`replication of ${pb} already runs: ${before.detail}`);
      return { enabled: true, detail: before.detail };
    }
    ctx.log(`replication of ${pb}: ${before.detail}`);
    ctx.log(await aws.resumeReplication(pb, p.region, ctx.signal));
    // What reports the link (the sandbox's state file, S3's config) may lag the change a little.
    let after = await aws.replicationLink(pb, p.region, ctx.signal);
    for (let i = 0; i < 15 && !after.enabled; i++) {
      await ctx.ports.clock.sleep(1000, ctx.signal);
      after = await aws.replicationLink(pb, p.region, ctx.signal);
    }
    if (!after.enabled) throw new Error(`replication still not running: ${after.detail}`);
    return { enabled: true, detail: after.detail };
  },
};
