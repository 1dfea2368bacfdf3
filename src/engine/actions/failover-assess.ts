import { z } from 'zod';
import { newestVersion, replicationGaps, type ReplicationGap } from '../../domain/failover.js';
import { describeHealthCode } from '../../domain/health.js';
import type { HealthResult, VaultNode } from '../vault.js';
import { failoverAws, need, probe, regionView, type Probed } from './failover-common.js';
import type { ActionDef } from './types.js';
import { requireVault } from './vault.js';

const Input = z.strictObject({});

function healthLine(node: VaultNode, h: HealthResult): string {
  return h.reachable
    ? `${node.name}: ${h.code} ${describeHealthCode(h.code)}`
    : `${node.name}: unreachable (${h.error})`;
}

const said = <T>(p: Probed<T>, ok: (v: T) => string): string => (p.ok ? ok(p.value) : p.error);

/**
 * Read-only: the primary from every angle (each node, its load balancer, its AWS APIs, its S3
 * endpoint), the DR side (bucket, ASG, lock table), and what DR lacks. Useful alone: an
 * operator sees the region is only partly down, and stops.
 */
export const assessAction: ActionDef<z.infer<typeof Input>> = {
  id: 'failover.assess',
  summary:
    'Assess a region failover: primary nodes, load balancer, AWS APIs and S3; DR bucket, ASG and lock table; objects DR lacks',
  input: Input,
  idempotent: true,
  human: false,
  describe: () =>
    'read the primary region from every angle and the DR side, and compare the two buckets (changes nothing)',
  async run(ctx) {
    const vault = requireVault(ctx);
    const aws = failoverAws(ctx);
    const p = regionView(ctx.profile, 'primary');
    const d = regionView(ctx.profile, 'dr');
    const pBucket = need(p.bucket, 'aws.data_bucket');
    const dBucket = need(d.bucket, 'aws.dr_data_bucket');
    const nodes = vault.nodes();
    const [health, lb, pAsg, pS3, dS3, dAsg, dTable] = await Promise.all([
      Promise.all(nodes.map(async (n) => ({ n, h: await vault.health(n, ctx.signal) }))),
      p.lb ? vault.health(p.lb, ctx.signal) : Promise.resolve(undefined),
      probe(ctx, (s) => aws.describeAsg(need(p.asg, 'aws.asg'), p.region, s)),
      probe(ctx, (s) => aws.listObjectVersions(pBucket, p.region, s)),
      probe(ctx, (s) => aws.listObjectVersions(dBucket, d.region, s)),
      probe(ctx, (s) => aws.describeAsg(need(d.asg, 'aws.dr_asg'), d.region, s)),
      probe(ctx, (s) => aws.describeTable(need(d.table, 'aws.dr_dynamodb_table'), d.region, s)),
    ]);
    const answering = health.filter((x) => x.h.reachable).map((x) => x.n.name);
    const active = health.filter((x) => x.h.reachable && x.h.code === 200).map((x) => x.n.name);
    const lbActive = lb?.reachable === true && lb.code === 200;
    const primaryHealthy = lbActive || active.length > 0;
    const pAsgDesc = pAsg.ok ? pAsg.value : undefined;
    const gaps: ReplicationGap[] | undefined =
      pS3.ok && dS3.ok ? replicationGaps(pS3.value, dS3.value) : undefined;
    const newest = dS3.ok ? newestVersion(dS3.value) : undefined;
    // Without its nodes DR cannot be unsealed or checked: a fence then would only be an outage.
    const drDiscovers = Boolean(ctx.profile?.vault.dr_discover);
    const drKnown = drDiscovers || vault.drNodes().length > 0;
    const drReady =
      drKnown && dS3.ok && dAsg.ok && Boolean(dAsg.value) && dTable.ok && Boolean(dTable.value);

    const lines: string[] = [];
    lines.push(`PRIMARY (${p.region})`);
    for (const { n, h } of health) lines.push(`  ${healthLine(n, h)}`);
    lines.push(`  load balancer: ${p.lb && lb ? healthLine(p.lb, lb) : 'not in the profile'}`);
    lines.push(
      `  AWS API (Auto Scaling): ${said(pAsg, (g) => (g ? `answers: ${p.asg} desired ${g.desired}, ${g.instances.length} instance(s)` : `answers, but ${p.asg} does not exist`))}`,
    );
    lines.push(
      `  S3 ${pBucket}: ${said(pS3, (v) => `answers (${v.filter((x) => x.isLatest && !x.deleteMarker).length} object(s))`)}`,
    );
    lines.push(`DR (${d.region})`);
    lines.push(
      `  S3 ${dBucket}: ${said(dS3, (v) => `answers (${v.filter((x) => x.isLatest && !x.deleteMarker).length} object(s))`)}`,
    );
    lines.push(
      `  ASG ${d.asg}: ${said(dAsg, (g) => (g ? `present, desired ${g.desired}` : 'MISSING'))}`,
    );
    lines.push(
      `  lock table ${d.table}: ${said(dTable, (t) => (t ? `present (${t.status})` : 'MISSING'))}`,
    );
    lines.push(
      `  nodes: ${
        drDiscovers
          ? `found from ${ctx.profile?.vault.dr_discover?.asg} (vault.dr_discover)`
          : drKnown
            ? vault
                .drNodes()
                .map((n) => n.name)
                .join(', ')
            : 'NONE KNOWN: the profile names no DR node (vault.dr_discover or vault.dr_addresses)'
      }`,
    );
    lines.push('REPLICATION');
    lines.push(
      `  newest object in DR: ${newest ? `${newest.key} at ${newest.lastModified}${newest.deleteMarker ? ' (delete marker)' : ''}` : dS3.ok ? 'none' : 'unknown'}`,
    );
    if (!gaps)
      lines.push(
        '  the primary bucket does not answer: what DR lacks cannot be listed; anything written there after the newest DR object may be lost',
      );
    else if (gaps.length === 0) lines.push('  DR holds the current version of every object');
    else {
      lines.push(`  ${gaps.length} object(s) DR lacks or holds older (MAY BE LOST):`);
      for (const g of gaps.slice(0, 30))
        lines.push(`    ${g.key}  primary ${g.primaryVersion}  DR ${g.drVersion}`);
      if (gaps.length > 30) lines.push(`    … and ${gaps.length - 30} more`);
    }
    lines.push(
      primaryHealthy
        ? `VERDICT: the primary is HEALTHY (${lbActive ? 'its load balancer answers 200' : `${active.join(', ')} active`}): a failover is not needed`
        : `VERDICT: the primary does not serve (${answering.length}/${nodes.length} node(s) answer, no active)`,
    );
    if (!drReady) lines.push('VERDICT: the DR side is NOT ready (see above)');
    for (const l of lines) ctx.log(l);

    const addresses = ctx.profile?.vault.addresses?.length ?? nodes.length;
    return {
      primary_healthy: primaryHealthy,
      primary_answering: answering,
      primary_active: active,
      lb_code: lb?.reachable ? lb.code : 0,
      primary_api: pAsg.ok,
      primary_s3: pS3.ok,
      primary_desired: pAsgDesc?.desired ?? -1,
      // The DR cluster takes the primary's shape; an ASG already at 0 (fenced) says nothing.
      primary_size: pAsgDesc && pAsgDesc.desired > 0 ? pAsgDesc.desired : addresses,
      dr_ready: drReady,
      dr_nodes: vault.drNodes().map((n) => n.name),
      dr_newest: newest ? { key: newest.key, lastModified: newest.lastModified } : null,
      gaps_known: gaps !== undefined,
      gaps: (gaps ?? []).map((g) => ({ ...g })),
      gap_keys: (gaps ?? []).map((g) => g.key),
      summary: lines.join('\n'),
    };
  },
};
