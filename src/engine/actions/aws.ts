import { z } from 'zod';
import { replicationLag } from '../../domain/cluster.js';
import { parseDuration } from '../../domain/duration.js';
import { UsageError } from '../../domain/errors.js';
import type { Profile } from '../../domain/schema.js';
import type { AwsPort } from '../aws.js';
import type { ActionContext, ActionDef, AnyAction } from './types.js';

export function requireAws(ctx: ActionContext<unknown>): AwsPort {
  const a = ctx.ports.aws;
  if (!a)
    throw new UsageError('this step needs AWS: the profile has no `aws` section', [
      'vault-runbook sandbox up   # writes a profile with one',
    ]);
  return a;
}

type Side = 'primary' | 'dr';

function awsOf(profile: Profile | undefined): NonNullable<Profile['aws']> | undefined {
  return profile?.aws;
}

const AsgInput = z.strictObject({
  /** Which of the profile's regions; ignored when `asg` names one. */
  region: z.enum(['primary', 'dr']).optional(),
  asg: z.string().optional(),
  'aws-region': z.string().optional(),
  /** Fail unless this many instances are InService and Healthy. */
  'expect-in-service': z.number().int().min(0).optional(),
});
type AsgInput = z.infer<typeof AsgInput>;

function asgTarget(ctx: ActionContext<AsgInput>): { name: string; region: string } {
  const a = awsOf(ctx.profile);
  const side: Side = ctx.input.region ?? 'primary';
  const name = ctx.input.asg ?? (side === 'dr' ? a?.dr_asg : a?.asg);
  const region =
    ctx.input['aws-region'] ?? (side === 'dr' ? (a?.dr_region ?? a?.region) : a?.region);
  if (!name || !region)
    throw new UsageError(
      `aws.asg-describe: no Auto Scaling group for the ${side} region (give with.asg and with.aws-region, or aws.${side === 'dr' ? 'dr_asg' : 'asg'} in the profile)`,
    );
  return { name, region };
}

export const asgDescribeAction: ActionDef<AsgInput> = {
  id: 'aws.asg-describe',
  summary:
    'Describe the Auto Scaling group: desired/min/max, each instance with AZ, lifecycle and health',
  input: AsgInput,
  idempotent: true,
  human: false,
  describe: (i) =>
    `describe the ${i.asg ?? `${i.region ?? 'primary'} region's`} Auto Scaling group${i['expect-in-service'] !== undefined ? ` and expect ${i['expect-in-service']} in service` : ''}`,
  async run(ctx) {
    const aws = requireAws(ctx);
    const { name, region } = asgTarget(ctx);
    const g = await aws.describeAsg(name, region, ctx.signal);
    if (!g) throw new Error(`Auto Scaling group '${name}' not found in ${region}`);
    const inService = g.instances.filter(
      (i) => i.lifecycleState === 'InService' && i.healthStatus === 'Healthy',
    );
    ctx.log(
      `${name} (${region}): desired ${g.desired} (min ${g.min}, max ${g.max}), ${inService.length} in service`,
    );
    for (const i of g.instances)
      ctx.log(
        `  ${i.instanceId}  ${i.az}  ${i.lifecycleState}  ${i.healthStatus}${i.launchTemplateVersion ? `  template v${i.launchTemplateVersion}` : ''}`,
      );
    const want = ctx.input['expect-in-service'];
    if (want !== undefined && inService.length !== want)
      throw new Error(`${name}: ${inService.length} instance(s) in service, expected ${want}`);
    return {
      name,
      region,
      desired: g.desired,
      min: g.min,
      max: g.max,
      inService: inService.length,
      instances: g.instances.map((i) => ({ ...i })),
      instanceIds: g.instances.map((i) => i.instanceId),
    };
  },
};

const ReplInput = z.strictObject({
  bucket: z.string().optional(),
  'aws-region': z.string().optional(),
  'dr-bucket': z.string().optional(),
  'dr-aws-region': z.string().optional(),
  prefix: z.string().optional(),
  /** Fail when the oldest unreplicated object has waited longer than this (e.g. 5m). */
  'max-lag': z.union([z.string(), z.number()]).optional(),
});
type ReplInput = z.infer<typeof ReplInput>;

export const s3ReplicationStatusAction: ActionDef<ReplInput> = {
  id: 'aws.s3-replication-status',
  summary:
    'Compare the primary and DR data buckets: objects whose newest version has not reached DR, and how long the oldest has waited',
  input: ReplInput,
  idempotent: true,
  human: false,
  describe: (i) =>
    `compare the newest object versions of the primary and DR data buckets${i.prefix ? ` under ${i.prefix}` : ''}${i['max-lag'] !== undefined ? `; fail if the lag exceeds ${i['max-lag']}` : ''}`,
  async run(ctx) {
    const aws = requireAws(ctx);
    const a = awsOf(ctx.profile);
    const i = ctx.input;
    const bucket = i.bucket ?? a?.data_bucket;
    const region = i['aws-region'] ?? a?.region;
    const drBucket = i['dr-bucket'] ?? a?.dr_data_bucket;
    const drRegion = i['dr-aws-region'] ?? a?.dr_region ?? region;
    if (!bucket || !region || !drBucket || !drRegion)
      throw new UsageError(
        'aws.s3-replication-status: needs the primary and DR data buckets (profile aws.data_bucket, aws.dr_data_bucket, aws.region, aws.dr_region, or with.*)',
      );
    // Current objects only, uncapped: a gate needs the whole count, not the version history.
    const prefix = i.prefix ? { prefix: i.prefix } : {};
    const [p, d] = await Promise.all([
      aws.listObjects(bucket, region, ctx.signal, prefix),
      aws.listObjects(drBucket, drRegion, ctx.signal, prefix),
    ]);
    const pl = p.objects;
    const dl = d.objects;
    const lag = replicationLag(pl, dl, ctx.ports.clock.now());
    const drByKey = new Map(dl.map((v) => [v.key, v]));
    const pendingKeys = pl
      .filter((v) => {
        const x = drByKey.get(v.key);
        return replicationLag([v], x ? [x] : [], new Date()).pendingObjects > 0;
      })
      .map((v) => v.key)
      .sort();
    ctx.log(
      `${bucket} (${region}) → ${drBucket} (${drRegion}): ${pl.length} object(s), ${lag.pendingObjects} not yet in DR, lag ${lag.lagSeconds} s`,
    );
    for (const k of pendingKeys.slice(0, 20)) ctx.log(`  pending: ${k}`);
    if (pendingKeys.length > 20) ctx.log(`  … and ${pendingKeys.length - 20} more`);
    if (i['max-lag'] !== undefined) {
      const maxMs = parseDuration(i['max-lag']);
      if (lag.lagSeconds * 1000 > maxMs)
        throw new Error(
          `replication lag ${lag.lagSeconds} s exceeds ${i['max-lag']} (${lag.pendingObjects} object(s) pending)`,
        );
    }
    return {
      bucket,
      drBucket,
      objects: pl.length,
      drObjects: dl.length,
      lagSeconds: lag.lagSeconds,
      pendingObjects: lag.pendingObjects,
      pendingKeys,
    };
  },
};

export const awsActions: readonly AnyAction[] = [asgDescribeAction, s3ReplicationStatusAction];
