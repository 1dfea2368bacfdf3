import { errorMessage } from '../domain/errors.js';
import type { Clients } from './clients.js';
import type { ControlReply, ControlRequest } from './control.js';
import { readDnsTarget } from './dns.js';
import { buildName, registerImage } from './images.js';
import { proxyUrl, REGION_KEYS, type Layout, type RegionKey } from './layout.js';
import type { Mutex } from './procs.js';
import type { RegionReconciler } from './reconcile.js';
import type { RecoveryNodes } from './recovery.js';
import type { Replicator } from './replicator.js';
import type { DnsRecord, RegionRecord } from './state.js';
import type { Tools } from './tools.js';

/** Requests the supervisor answers besides faults: images, DNS and region views for status. */

/** Route 53 is global: it answers in a primary-region outage too (moto is one process). */
export async function pollDns(
  l: Layout,
  clients: Clients,
  zoneId: string,
  prev: DnsRecord | undefined,
  log: (m: string) => void,
  signal: AbortSignal,
): Promise<DnsRecord | undefined> {
  const checkedAt = new Date().toISOString();
  try {
    const t = await readDnsTarget(l, clients.route53, zoneId, signal);
    if (prev && prev.region !== t.region)
      log(`dns: ${t.name} → ${t.values.join(', ')} (${t.region ?? 'no sandbox region'})`);
    return { ...t, checkedAt };
  } catch (err) {
    if (signal.aborted) return prev;
    return { name: l.recordName, values: prev?.values ?? [], checkedAt, error: errorMessage(err) };
  }
}

export function regionRecords(
  l: Layout,
  reconcilers: ReadonlyMap<RegionKey, RegionReconciler>,
  regionDown: boolean,
): Record<RegionKey, RegionRecord> {
  const one = (k: RegionKey): RegionRecord => {
    const r = l.regions[k];
    const asg = reconcilers.get(k)?.lastAsg;
    return {
      region: r.region,
      up: k !== 'primary' || !regionDown,
      asg: r.asg,
      ...(asg ? { desired: asg.desired, members: asg.members } : {}),
      bucket: r.bucket,
      lockTable: r.table,
      loadBalancer: proxyUrl(l, k),
    };
  };
  return { primary: one('primary'), dr: one('dr') };
}

/** `sandbox image <version>`: a new AMI in moto standing for a Vault version that is built. */
export async function registerImageOp(
  ctx: {
    readonly tools: Tools;
    readonly clients: Clients;
    readonly reconcilers: ReadonlyMap<RegionKey, RegionReconciler>;
    readonly log: (m: string) => void;
    readonly signal: AbortSignal;
  },
  version: string,
  region: RegionKey,
): Promise<ControlReply> {
  if (!(REGION_KEYS as readonly string[]).includes(region))
    return { ok: false, usage: true, error: `unknown region '${String(region)}'` };
  if (!ctx.tools.vault.has(version))
    return {
      ok: false,
      usage: true,
      error: `no Vault ${version} binary in the tools cache (built: ${[...ctx.tools.vault.keys()].join(', ')}); the sandbox makes images of those only`,
    };
  const amiId = await registerImage(
    ctx.clients.regions[region],
    version,
    buildName(version),
    ctx.signal,
  );
  ctx.reconcilers.get(region)?.learnAmi(amiId, version);
  ctx.log(`image: ${amiId} in ${region} stands for Vault ${version}`);
  return { ok: true, message: amiId, data: { amiId, version, region } };
}

export interface OpsContext {
  readonly tools: Tools;
  readonly clients: Clients;
  readonly reconcilers: ReadonlyMap<RegionKey, RegionReconciler>;
  readonly replicator: Replicator;
  readonly recovery: RecoveryNodes;
  readonly lock: Mutex;
  readonly signal: AbortSignal;
  regionDown(): boolean;
  log(m: string): void;
}

export type MoreOps = Exclude<
  ControlRequest,
  { op: 'ping' | 'shutdown' | 'resolve' | 'restart' | 'fault' }
>;

/** Images, replication pause/resume and recovery nodes (the supervisor is ready). */
export async function handleMore(req: MoreOps, ctx: OpsContext): Promise<ControlReply> {
  switch (req.op) {
    case 'image':
      return ctx.lock.run(() => registerImageOp(ctx, req.version, req.region));
    case 'replication': {
      if (req.enabled && ctx.regionDown())
        return { ok: false, error: 'the primary region is down: replication cannot resume' };
      ctx.replicator.paused = req.enabled ? undefined : 'paused by request';
      ctx.log(`replication: ${req.enabled ? 'resumed' : 'paused'}`);
      return {
        ok: true,
        message: `replication primary → dr ${req.enabled ? 'resumed' : 'paused'}`,
      };
    }
    case 'recovery-start': {
      const { op: _op, ...spec } = req;
      return ctx.recovery.start(spec, ctx.signal);
    }
    case 'recovery-stop':
      return ctx.recovery.stop(req.name, ctx.signal);
    case 'recovery-list':
      return { ok: true, data: ctx.recovery.list() };
  }
}
