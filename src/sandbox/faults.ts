import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { errorMessage } from '../domain/errors.js';
import type { Clients } from './clients.js';
import type { ControlReply } from './control.js';
import { nodeName, REGION_KEYS, type Layout, type RegionKey } from './layout.js';
import type { RegionReconciler } from './reconcile.js';
import type { Replicator } from './replicator.js';

/** The fault kinds of DESIGN §6; `seal` is done by the CLI itself (it needs the operator's token). */
export const FAULT_KINDS = [
  'seal',
  'kill',
  'az-down',
  'region-down',
  'region-up',
  'bad-write',
  'replication-lag',
  'broken-image',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(k: string): k is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(k);
}

/** Whether the kind needs a target argument, and what it is called in help and errors. */
export const FAULT_TARGET: Readonly<Record<FaultKind, string | undefined>> = {
  seal: 'node',
  kill: 'node',
  'az-down': 'az',
  'region-down': undefined,
  'region-up': undefined,
  'bad-write': 'path',
  'replication-lag': 'seconds',
  'broken-image': 'ami|version|off',
};

export interface FaultContext {
  readonly l: Layout;
  readonly signal: AbortSignal;
  readonly clients: Clients;
  readonly reconcilers: ReadonlyMap<RegionKey, RegionReconciler>;
  readonly replicator: Replicator;
  readonly downAzs: Set<string>;
  /** AMI ids and Vault versions whose new instances start broken. */
  readonly brokenImages: Set<string>;
  isRegionDown(): boolean;
  log(message: string): void;
  /**
   * `keepS3`: a partial outage — nodes and load balancer lost, the S3 endpoint still answers.
   * `apisDown`: the region's AWS APIs (EC2, Auto Scaling, ELB, DynamoDB) are unreachable too.
   */
  regionDown(opts?: { keepS3?: boolean; apisDown?: boolean }): Promise<void>;
  regionUp(): Promise<void>;
}

/** The optional target of `region-down`: which part of the region keeps or loses service. */
export const REGION_DOWN_VARIANTS = ['s3-up', 'apis-down'] as const;

export function isRegionDownVariant(t: string): t is (typeof REGION_DOWN_VARIANTS)[number] {
  return (REGION_DOWN_VARIANTS as readonly string[]).includes(t);
}

const usage = (error: string): ControlReply => ({ ok: false, usage: true, error });

function nodesList(ctx: FaultContext): string {
  const names = [...ctx.reconcilers.values()].flatMap((r) =>
    r.specs().map((s) => nodeName(r.key, s.slot)),
  );
  return names.length ? names.join(', ') : '(none running)';
}

async function kill(ctx: FaultContext, target: string): Promise<ControlReply> {
  for (const rec of ctx.reconcilers.values()) {
    const s = rec.find(target);
    if (!s) continue;
    await rec.kill(s.instanceId, ctx.signal);
    const name = nodeName(rec.key, s.slot);
    ctx.log(`fault kill: ${name} (${s.instanceId}) SIGKILLed, instance marked Unhealthy`);
    return {
      ok: true,
      message: `${name} (${s.instanceId}) killed; the ASG replaces the instance with a new, sealed node`,
    };
  }
  return usage(`no running node '${target}' (running: ${nodesList(ctx)})`);
}

async function azDown(ctx: FaultContext, az: string): Promise<ControlReply> {
  const known = REGION_KEYS.flatMap((k) => ctx.l.regions[k].azs);
  if (!known.includes(az)) return usage(`unknown AZ '${az}' (one of ${known.join(', ')})`);
  ctx.downAzs.add(az);
  const hit: string[] = [];
  for (const rec of ctx.reconcilers.values())
    for (const s of rec.specs().filter((x) => x.az === az)) {
      await rec.kill(s.instanceId, ctx.signal);
      hit.push(nodeName(rec.key, s.slot));
    }
  ctx.log(`fault az-down: ${az} (${hit.join(', ') || 'no nodes there'})`);
  return {
    ok: true,
    message: `${az} is down: ${hit.length ? `killed ${hit.join(', ')}` : 'no node was there'}; replacements go to the other AZs`,
  };
}

async function badWrite(ctx: FaultContext, path: string): Promise<ControlReply> {
  const key = path.replace(/^\/+/, '');
  if (!key) return usage('bad-write needs an object key, e.g. core/keyring');
  const bucket = ctx.l.regions.primary.bucket;
  const s3 = ctx.clients.regions.primary.s3;
  let previous: string | undefined;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: ctx.signal,
    });
    previous = head.VersionId;
  } catch {
    previous = undefined; // a new key: the bad write is its first version
  }
  // Not a Vault-encrypted entry: Vault fails to decode it, as it would a torn or foreign write.
  const body = Buffer.concat([Buffer.from('vault-runbook sandbox bad-write\n'), randomBytes(64)]);
  try {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }), {
      abortSignal: ctx.signal,
    });
    ctx.log(`fault bad-write: s3://${bucket}/${key} version ${put.VersionId ?? '?'}`);
    return {
      ok: true,
      message: `wrote a corrupt version ${put.VersionId ?? '?'} of s3://${bucket}/${key}${previous ? ` (the good one before it: ${previous})` : ''}`,
      data: { bucket, key, versionId: put.VersionId, previousVersionId: previous },
    };
  } catch (err) {
    return { ok: false, error: `bad-write failed: ${errorMessage(err)}` };
  }
}

/** `broken-image <ami|version>`: instances launched from it from now on never start; `off` heals. */
export function brokenImage(
  ctx: Pick<FaultContext, 'brokenImages' | 'log'>,
  target: string,
): ControlReply {
  if (target === 'off') {
    const was = [...ctx.brokenImages];
    ctx.brokenImages.clear();
    ctx.log(`fault broken-image: off (was ${was.join(', ') || 'none'})`);
    return {
      ok: true,
      message: `no image is broken any more${was.length ? ` (was ${was.join(', ')})` : ''}; nodes already started broken stay so until replaced`,
    };
  }
  if (!/^ami-[0-9a-f]+$/.test(target) && !/^\d+\.\d+\.\d+$/.test(target))
    return usage(
      `broken-image needs an AMI id (ami-…), a Vault version (1.14.8) or off, not '${target}'`,
    );
  ctx.brokenImages.add(target);
  ctx.log(`fault broken-image: ${target}`);
  return {
    ok: true,
    message: `instances launched from now on from ${target.startsWith('ami-') ? `AMI ${target}` : `an AMI of Vault ${target}`} start broken (their Vault exits at once: no listener certificate) and never become healthy; running nodes are not touched`,
  };
}

export async function runFault(
  ctx: FaultContext,
  kind: string,
  target: string | undefined,
): Promise<ControlReply> {
  if (!isFaultKind(kind))
    return usage(`unknown fault '${kind}' (one of ${FAULT_KINDS.join(', ')})`);
  const need = FAULT_TARGET[kind];
  if (need && !target) return usage(`fault ${kind} needs <${need}>`);
  const t = target ?? '';
  switch (kind) {
    case 'seal':
      return usage('seal is done by the CLI with the operator’s token');
    case 'kill':
      return kill(ctx, t);
    case 'az-down':
      return azDown(ctx, t);
    case 'region-down': {
      if (target !== undefined && !isRegionDownVariant(target))
        return usage(
          `region-down takes no target, s3-up (S3 keeps answering) or apis-down (its AWS APIs go too), not '${target}'`,
        );
      const keepS3 = target === 's3-up';
      const apisDown = target === 'apis-down';
      ctx.log(
        `fault region-down: primary nodes, proxy${keepS3 ? '' : ' and S3 endpoint'}${apisDown ? ' and AWS APIs' : ''} stop`,
      );
      await ctx.regionDown({ keepS3, apisDown });
      const region = ctx.l.regions.primary.region;
      return {
        ok: true,
        message: keepS3
          ? `the primary region (${region}) is down but for S3: nodes and proxy are unreachable, its S3 endpoint still answers; replication to DR is broken`
          : apisDown
            ? `the primary region (${region}) is down with its AWS APIs: nodes, proxy, S3 endpoint, EC2, Auto Scaling, ELB and DynamoDB of ${region} are unreachable (Route 53, global, answers); the DR bucket keeps what was replicated`
            : `the primary region (${region}) is down: nodes, proxy and its S3 endpoint are unreachable; the DR bucket keeps what was replicated`,
      };
    }
    case 'region-up':
      if (!ctx.isRegionDown()) return usage('the primary region is not down');
      ctx.log('fault region-up: primary S3 endpoint and load balancer come back');
      await ctx.regionUp();
      return {
        ok: true,
        message: `the primary region (${ctx.l.regions.primary.region}) is back: its AWS APIs and S3 endpoint answer with the data as it was at the failure, its load balancer listens; Vault: instances its ASG still holds boot again and come back sealed, an ASG scaled to 0 (fenced) stays empty; replication primary → dr stays paused until \`vault-runbook sandbox replication resume\``,
      };
    case 'broken-image':
      return brokenImage(ctx, t);
    case 'bad-write':
      return badWrite(ctx, t);
    case 'replication-lag': {
      const n = Number(t);
      if (!Number.isFinite(n) || n < 0)
        return usage(`replication-lag needs seconds ≥ 0, not '${t}'`);
      ctx.replicator.lagSeconds = n;
      ctx.log(`fault replication-lag: ${n} s`);
      return { ok: true, message: `replication primary → dr now lags ${n} s behind each write` };
    }
  }
}
