import { z } from 'zod';
import { operatorToken } from '../operator-token.js';
import type { DnsRecord } from '../aws.js';
import { failoverAws, need, regionView, type RegionView } from './failover-common.js';
import type { ActionContext, ActionDef, ProbeResult } from './types.js';
import { requireVault } from './vault.js';

const RegionIn = z.enum(['primary', 'dr']);

const Lock = z.strictObject({ region: RegionIn.default('dr') });

/** The region's HA lock: absent, live (who holds it) or stale (expired, left by whom). */
export const lockCheckAction: ActionDef<z.input<typeof Lock>> = {
  id: 'failover.lock-check',
  summary:
    'Read the region’s DynamoDB HA lock table: present? a lock left behind, live or stale, and by whom',
  input: Lock,
  idempotent: true,
  human: false,
  describe: (i) => `read the ${i.region ?? 'dr'} region's HA lock table`,
  async run(ctx) {
    const r = regionView(ctx.profile, Lock.parse(ctx.input).region);
    const aws = failoverAws(ctx);
    const table = need(r.table, `the ${r.side} lock table`);
    const t = await aws.describeTable(table, r.region, ctx.signal);
    if (!t)
      throw new Error(`lock table ${table} does not exist in ${r.region}: Vault there has no HA`);
    const lock = await aws.readHaLock(table, r.region, ctx.signal);
    const now = ctx.ports.clock.now().getTime();
    if (!lock) {
      ctx.log(
        `${table} (${r.region}, ${t.status}): no lock held — the first unsealed node takes it`,
      );
      return { table, present: true, lock: 'none', stale: false };
    }
    const stale = lock.expiresAt <= now;
    const who = `${lock.value ? `${lock.value}, ` : ''}identity ${lock.holder.slice(0, 12)}…`;
    ctx.log(
      stale
        ? `${table}: a STALE lock (${who}) expired ${Math.round((now - lock.expiresAt) / 1000)} s ago — left by a node that stopped uncleanly (an earlier drill or failover); Vault takes it over`
        : `${table}: a LIVE lock (${who}) until ${new Date(lock.expiresAt).toISOString()} — a node of this region is active already (a resumed run), or one stopped within the last 15 s`,
    );
    return { table, present: true, lock: stale ? 'stale' : 'live', stale, holder: lock.holder };
  },
};

const Scale = z.strictObject({ region: RegionIn, desired: z.coerce.number().int().min(0) });
type ScaleIn = z.infer<typeof Scale>;

function asgOf(ctx: ActionContext<ScaleIn>): { r: RegionView; name: string } {
  const r = regionView(ctx.profile, ctx.input.region);
  return { r, name: need(r.asg, `the ${r.side} Auto Scaling group`) };
}

/** Sets desired capacity: the same value twice is one change, so a resume cannot double it. */
export const asgScaleAction: ActionDef<ScaleIn> = {
  id: 'aws.asg-scale',
  summary: 'Set the region’s Auto Scaling group to a desired capacity (min/max widened to fit)',
  input: Scale,
  idempotent: true,
  human: false,
  describe: (i) => `scale the ${i.region} Auto Scaling group to ${i.desired}`,
  async run(ctx) {
    const aws = failoverAws(ctx);
    const { r, name } = asgOf(ctx);
    const g = await aws.describeAsg(name, r.region, ctx.signal);
    if (!g) throw new Error(`Auto Scaling group ${name} not found in ${r.region}`);
    const want = ctx.input.desired;
    if (g.desired !== want)
      await aws.setAsgCapacity(
        name,
        r.region,
        { min: Math.min(g.min, want), desired: want, max: Math.max(g.max, want) },
        ctx.signal,
      );
    ctx.log(
      g.desired === want
        ? `${name} (${r.region}): already at desired ${want}`
        : `${name} (${r.region}): desired ${g.desired} → ${want}`,
    );
    return { name, previous: g.desired, desired: want };
  },
  async probe(ctx): Promise<ProbeResult<Record<string, unknown>>> {
    const aws = failoverAws(ctx);
    const { r, name } = asgOf(ctx);
    const g = await aws.describeAsg(name, r.region, ctx.signal);
    const ok = g?.desired === ctx.input.desired;
    return {
      tookEffect: ok,
      detail: `${name} desired ${g?.desired ?? 'unknown'}`,
      ...(ok ? { outputs: { name, previous: -1, desired: ctx.input.desired } } : {}),
    };
  },
};

const WaitIn = z.strictObject({ region: RegionIn, count: z.coerce.number().int().min(0) });

export const asgWaitAction: ActionDef<z.infer<typeof WaitIn>> = {
  id: 'aws.asg-wait',
  summary: 'Wait until the region’s Auto Scaling group has `count` instances InService and Healthy',
  input: WaitIn,
  idempotent: true,
  human: false,
  describe: (i) => `wait for ${i.count} healthy instance(s) in the ${i.region} Auto Scaling group`,
  async run(ctx) {
    const aws = failoverAws(ctx);
    const r = regionView(ctx.profile, ctx.input.region);
    const name = need(r.asg, `the ${r.side} Auto Scaling group`);
    let last = '';
    for (;;) {
      const g = await aws.describeAsg(name, r.region, ctx.signal);
      const ok = (g?.instances ?? []).filter(
        (x) => x.lifecycleState === 'InService' && x.healthStatus === 'Healthy',
      );
      const line = `${name}: ${ok.length}/${ctx.input.count} in service`;
      if (line !== last) ctx.log(line);
      last = line;
      if (ok.length >= ctx.input.count) return { instances: ok.map((x) => x.instanceId) };
      await ctx.ports.clock.sleep(1000, ctx.signal);
    }
  },
};

const Dns = z.strictObject({ to: RegionIn });
type DnsIn = z.infer<typeof Dns>;

function dnsTarget(ctx: ActionContext<DnsIn>): {
  zone: string;
  name: string;
  value: string;
  type: string;
  ttl: number;
} {
  const rt = ctx.profile?.aws?.route53;
  if (!rt) throw new Error('the profile has no aws.route53 (zone_id, record)');
  const value = regionView(ctx.profile, ctx.input.to).dnsValue;
  return {
    zone: rt.zone_id,
    name: rt.record,
    value: need(value, `aws.route53.${ctx.input.to === 'dr' ? 'dr_value' : 'primary_value'}`),
    type: rt.type ?? 'A',
    ttl: rt.ttl ?? 60,
  };
}

/** Which region a record's values name, from the profile's primary_value/dr_value. */
export function dnsRegion(ctx: ActionContext<unknown>, rec: DnsRecord | undefined): string {
  const rt = ctx.profile?.aws?.route53;
  const vs = (rec?.values ?? []).map((v) => v.replace(/\.$/, ''));
  if (vs.length === 1 && vs[0] === rt?.primary_value?.replace(/\.$/, '')) return 'primary';
  if (vs.length === 1 && vs[0] === rt?.dr_value?.replace(/\.$/, '')) return 'dr';
  return 'unknown';
}

/** UPSERT the record to the region's load balancer, then wait for Route 53 to say INSYNC. */
export const dnsPointAction: ActionDef<DnsIn> = {
  id: 'aws.route53-point',
  summary: 'Point the Route 53 record at a region’s load balancer (UPSERT, change id, wait INSYNC)',
  input: Dns,
  idempotent: true,
  human: false,
  describe: (i) => `point the Route 53 record at the ${i.to} load balancer and wait for INSYNC`,
  async run(ctx) {
    const aws = failoverAws(ctx);
    const t = dnsTarget(ctx);
    const before = await aws.dnsRecord(t.zone, t.name, ctx.signal);
    const change = await aws.dnsUpsert(
      t.zone,
      { name: `${t.name.replace(/\.$/, '')}.`, type: t.type, ttl: t.ttl, values: [t.value] },
      ctx.signal,
    );
    ctx.log(
      `${t.name}: ${before?.values.join(', ') ?? '(none)'} → ${t.value} (change ${change.id}, ${change.status})`,
    );
    let status = change.status;
    while (status !== 'INSYNC') {
      await ctx.ports.clock.sleep(1000, ctx.signal);
      status = (await aws.dnsChange(change.id, ctx.signal)).status;
      ctx.log(`change ${change.id}: ${status}`);
    }
    return {
      change_id: change.id,
      status,
      previous: before?.values ?? [],
      values: [t.value],
      region: ctx.input.to,
    };
  },
  async probe(ctx): Promise<ProbeResult<Record<string, unknown>>> {
    const aws = failoverAws(ctx);
    const t = dnsTarget(ctx);
    const rec = await aws.dnsRecord(t.zone, t.name, ctx.signal);
    const ok = rec?.values.length === 1 && rec.values[0] === t.value;
    return {
      tookEffect: ok,
      detail: `${t.name} → ${rec?.values.join(', ') ?? '(none)'}`,
      ...(ok
        ? {
            outputs: {
              change_id: '',
              status: 'INSYNC',
              previous: [],
              values: [t.value],
              region: ctx.input.to,
            },
          }
        : {}),
    };
  },
};

const Canary = z.strictObject({
  /** primary / dr: that region's load balancer; dns: whichever the Route 53 record names. */
  via: z.enum(['primary', 'dr', 'dns']),
  path: z.string().regex(/^[^/]+\/.+/, 'mount/path, e.g. secret/canary'),
  kv: z.coerce
    .number()
    .pipe(z.union([z.literal(1), z.literal(2)]))
    .default(2),
});

/** Reads the canary secret through a load balancer with the operator's token. */
export const canaryAction: ActionDef<z.input<typeof Canary>> = {
  id: 'vault.canary-read',
  summary:
    'Read a canary KV secret through a region’s load balancer (or the one the DNS record names) with the operator’s token',
  input: Canary,
  idempotent: true,
  human: false,
  describe: (i) =>
    `read ${i.path} through ${i.via === 'dns' ? 'the load balancer the DNS record names' : `the ${i.via} load balancer`}`,
  async run(ctx) {
    const i = Canary.parse(ctx.input);
    const vault = requireVault(ctx);
    let region = i.via;
    if (i.via === 'dns') {
      const rt = ctx.profile?.aws?.route53;
      if (!rt) throw new Error('the profile has no aws.route53');
      const rec = await failoverAws(ctx).dnsRecord(rt.zone_id, rt.record, ctx.signal);
      const named = dnsRegion(ctx, rec);
      if (named === 'unknown')
        throw new Error(
          `${rt.record} → ${rec?.values.join(', ') ?? '(none)'}: names neither load balancer of the profile`,
        );
      region = named as 'primary' | 'dr';
      ctx.log(`${rt.record} → ${rec?.values.join(', ')}: the ${region} load balancer`);
    }
    const lb = regionView(ctx.profile, region as 'primary' | 'dr').lb;
    if (!lb)
      throw new Error(
        `the profile names no ${region} load balancer (vault.${region === 'dr' ? 'dr_api_addr' : 'api_addr'})`,
      );
    const [mount, ...rest] = i.path.split('/');
    const tok = await operatorToken(ctx, lb, `reading the canary ${i.path}`);
    const got = await vault.kvRead(
      lb,
      tok.token,
      { mount: mount ?? '', path: rest.join('/'), kv: i.kv },
      ctx.signal,
    );
    if (!got) throw new Error(`${i.path}: nothing there through ${lb.address}`);
    ctx.log(`${i.path} read through ${lb.address} (${Object.keys(got.data).length} field(s))`);
    return { region, address: lb.address, fields: Object.keys(got.data) };
  },
};
