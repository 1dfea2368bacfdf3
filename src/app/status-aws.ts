import type { ClusterStatus, RegionStatus } from '../domain/cluster.js';
import { replicationLagWithin } from '../domain/cluster.js';
import { errorMessage } from '../domain/errors.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import { instanceFor } from '../engine/placement.js';
import { dnsStatus } from '../engine/failover-status.js';
import { NO_AWS, type AwsPart, type PlacedInstance } from './status-cache.js';

// The AWS half of a status: each region's ASG and instances, replication lag, where DNS points.

/** Runs a call under its own deadline (see ./deadline.ts). */
export type Within = <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Placing a row on its instance: the same rule as the upgrade's. */
export { instanceFor };

async function regionStatus(
  aws: AwsPort,
  name: string,
  region: string,
  asgName: string | undefined,
  bucket: string | undefined,
  signal: AbortSignal,
): Promise<{ region: RegionStatus; instances: PlacedInstance[] }> {
  const base: RegionStatus = { name, region, ...(bucket ? { dataBucket: bucket } : {}) };
  if (!asgName) return { region: base, instances: [] };
  try {
    const asg = await aws.describeAsg(asgName, region, signal);
    if (!asg)
      return {
        region: {
          ...base,
          asg: { name: asgName, desired: 0, inService: 0, error: 'no such Auto Scaling group' },
        },
        instances: [],
      };
    const inService = asg.instances.filter((i) => i.lifecycleState === 'InService').length;
    const instances = await aws.describeInstances(
      asg.instances.map((i) => i.instanceId),
      region,
      signal,
    );
    return {
      region: { ...base, asg: { name: asgName, desired: asg.desired, inService } },
      instances: instances.map((i) => ({ ...i, region })),
    };
  } catch (err) {
    return {
      region: {
        ...base,
        asg: { name: asgName, desired: 0, inService: 0, error: errorMessage(err) },
      },
      instances: [],
    };
  }
}

/**
 * How many current keys a status round reads per data bucket: ten pages. Past it the pane says
 * "at least" and "unknown beyond" instead of a count it did not make.
 */
export const REPLICATION_LISTING_CAP = 10_000;

/**
 * Compares current objects only (ListObjectsV2), never the version history: that grows with
 * every write Vault makes, and listing it each round was millions of entries on a real cluster.
 * Read at the AWS cadence (AwsStatusCache), not less often: at most ten pages per bucket, and an
 * operator watching a failover wants the lag as fresh as the ASG rows.
 */
async function replication(
  aws: AwsPort,
  profile: Profile,
  signal: AbortSignal,
  now: Date,
): Promise<ClusterStatus['replication']> {
  const a = profile.aws;
  if (!a?.data_bucket || !a.dr_data_bucket) return undefined;
  try {
    const maxKeys = REPLICATION_LISTING_CAP;
    const [p, d] = await Promise.all([
      aws.listObjects(a.data_bucket, a.region, signal, { maxKeys }),
      aws.listObjects(a.dr_data_bucket, a.dr_region ?? a.region, signal, { maxKeys }),
    ]);
    return replicationLagWithin(p, d, now, maxKeys);
  } catch (err) {
    return { lagSeconds: -1, pendingObjects: -1, error: errorMessage(err) };
  }
}

/** Every AWS read of a status, each under its own AWS deadline; every failure is data. */
export async function readAwsPart(
  profile: Profile | undefined,
  aws: AwsPort | undefined,
  within: Within,
  now: () => Date,
): Promise<AwsPart> {
  const a = profile?.aws;
  if (!aws || !profile || !a) return NO_AWS;
  const drRegion = a.dr_region;
  const [regions, repl, dns] = await Promise.all([
    Promise.all([
      within((s) => regionStatus(aws, 'primary', a.region, a.asg, a.data_bucket, s)),
      ...(drRegion
        ? [within((s) => regionStatus(aws, 'dr', drRegion, a.dr_asg, a.dr_data_bucket, s))]
        : []),
    ]),
    within((s) => replication(aws, profile, s, now())),
    within((s) => dnsStatus(profile, aws, s)),
  ]);
  return { regions, ...(repl ? { replication: repl } : {}), ...(dns ? { dns } : {}) };
}
