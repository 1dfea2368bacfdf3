import {
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describeAllInstances, toEc2Instance } from '../adapters/aws/ec2-pages.js';
import type { RegionClients } from './clients.js';
import { SANDBOX_TAG, VERSION_TAG } from './provision.js';

/**
 * What the reconciler needs from moto, and the parts of an ASG's behaviour moto leaves out:
 * moto never replaces an unhealthy or vanished instance, and launches every instance into the
 * first subnet of the group; the supervisor does both the way AWS would.
 */
export interface Ec2View {
  readonly instanceId: string;
  readonly state: string;
  readonly az: string;
  readonly imageId: string;
}

export interface AsgView {
  readonly desired: number;
  readonly subnets: readonly string[];
  readonly members: ReadonlyMap<string, { readonly health: string }>;
}

export async function describeAsg(
  c: RegionClients,
  name: string,
  signal: AbortSignal,
): Promise<AsgView | undefined> {
  const r = await c.asg.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    { abortSignal: signal },
  );
  const g = r.AutoScalingGroups?.[0];
  if (!g) return undefined;
  return {
    desired: g.DesiredCapacity ?? 0,
    subnets: (g.VPCZoneIdentifier ?? '').split(',').filter(Boolean),
    members: new Map(
      (g.Instances ?? []).map((i) => [i.InstanceId ?? '', { health: i.HealthStatus ?? '' }]),
    ),
  };
}

/** Every instance that was launched for this sandbox region (in its ASG or detached from it). */
export async function describeSandboxInstances(
  c: RegionClients,
  key: string,
  signal: AbortSignal,
): Promise<Ec2View[]> {
  const found = await describeAllInstances(
    c.ec2,
    DescribeInstancesCommand,
    { Filters: [{ Name: `tag:${SANDBOX_TAG}`, Values: [key] }] },
    signal,
  );
  return found.map(toEc2Instance);
}

/** The Vault version an AMI stands for, from its tag (an image registered later by a runbook too). */
export async function amiVersion(
  c: RegionClients,
  amiId: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const r = await c.ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }), {
    abortSignal: signal,
  });
  const img = r.Images?.[0];
  const tag = img?.Tags?.find((t) => t.Key === VERSION_TAG)?.Value;
  if (tag) return tag;
  return /vault[^0-9]*(\d+\.\d+\.\d+)/.exec(img?.Name ?? '')?.[1];
}

/**
 * The ASG's subnet order that puts the emptiest healthy AZ first (moto launches every new
 * instance into the first subnet). `counts` is instances per AZ; `downAzs` never get new ones.
 */
export function subnetOrder(
  subnets: readonly { az: string; subnetId: string }[],
  counts: ReadonlyMap<string, number>,
  downAzs: ReadonlySet<string>,
): { az: string; subnetId: string }[] {
  const up = subnets.filter((s) => !downAzs.has(s.az));
  const pool = up.length ? up : subnets;
  let best = pool[0];
  for (const s of pool) if ((counts.get(s.az) ?? 0) < (counts.get(best?.az ?? '') ?? 0)) best = s;
  if (!best) return [];
  return [best, ...subnets.filter((s) => s !== best && !downAzs.has(s.az))];
}

/** Puts the subnet of the emptiest healthy AZ first, so moto's next launch lands there. */
export async function preferEmptiestAz(
  c: RegionClients,
  asgName: string,
  subnets: readonly { az: string; subnetId: string }[],
  counts: ReadonlyMap<string, number>,
  downAzs: ReadonlySet<string>,
  signal: AbortSignal,
  current?: readonly string[],
): Promise<string | undefined> {
  const order = subnetOrder(subnets, counts, downAzs);
  if (!order[0]) return undefined;
  const ids = order.map((s) => s.subnetId);
  if (current && current.join(',') === ids.join(',')) return order[0].az;
  await c.asg.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: asgName,
      VPCZoneIdentifier: ids.join(','),
    }),
    { abortSignal: signal },
  );
  return order[0].az;
}

export async function setDesired(
  c: RegionClients,
  asgName: string,
  n: number,
  signal: AbortSignal,
): Promise<void> {
  await c.asg.send(
    new SetDesiredCapacityCommand({
      AutoScalingGroupName: asgName,
      DesiredCapacity: n,
      HonorCooldown: false,
    }),
    { abortSignal: signal },
  );
}

/** AWS's replacement of an unhealthy instance: moto detaches it, launches one, terminates it. */
export async function replaceInstance(
  c: RegionClients,
  instanceId: string,
  signal: AbortSignal,
): Promise<void> {
  await c.asg.send(
    new TerminateInstanceInAutoScalingGroupCommand({
      InstanceId: instanceId,
      ShouldDecrementDesiredCapacity: false,
    }),
    { abortSignal: signal },
  );
}
