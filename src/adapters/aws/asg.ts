import type { AsgDescription } from '../../engine/aws.js';
import type { AwsClients } from './clients.js';

// Auto Scaling: what the status pane, the failover and the upgrade runbooks ask of the ASGs.

export async function describeAsg(
  aws: AwsClients,
  name: string,
  region: string,
  signal: AbortSignal,
): Promise<AsgDescription | undefined> {
  const { sdk, client } = await aws.autoscaling(region);
  const r = await client.send(
    new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    { abortSignal: signal },
  );
  const g = r.AutoScalingGroups?.[0];
  if (!g) return undefined;
  return {
    name,
    desired: g.DesiredCapacity ?? 0,
    min: g.MinSize ?? 0,
    max: g.MaxSize ?? 0,
    ...(g.AvailabilityZones?.length ? { availabilityZones: g.AvailabilityZones } : {}),
    instances: (g.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? '',
      az: i.AvailabilityZone ?? '',
      lifecycleState: i.LifecycleState ?? '',
      healthStatus: i.HealthStatus ?? '',
      ...(i.LaunchTemplate?.Version ? { launchTemplateVersion: i.LaunchTemplate.Version } : {}),
    })),
  };
}

export async function setAsgCapacity(
  aws: AwsClients,
  name: string,
  region: string,
  cap: { readonly min: number; readonly desired: number; readonly max: number },
  signal: AbortSignal,
): Promise<void> {
  const { sdk, client } = await aws.autoscaling(region);
  await client.send(
    new sdk.UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: cap.min,
      DesiredCapacity: cap.desired,
      MaxSize: cap.max,
    }),
    { abortSignal: signal },
  );
}

export async function scaleAsg(
  aws: AwsClients,
  name: string,
  desired: number,
  region: string,
  signal: AbortSignal,
  min?: number,
): Promise<void> {
  const { sdk, client } = await aws.autoscaling(region);
  await client.send(
    new sdk.UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      DesiredCapacity: desired,
      ...(min !== undefined ? { MinSize: min } : {}),
    }),
    { abortSignal: signal },
  );
}

export async function terminateInAsg(
  aws: AwsClients,
  instanceId: string,
  region: string,
  signal: AbortSignal,
): Promise<void> {
  const { sdk, client } = await aws.autoscaling(region);
  await client.send(
    new sdk.TerminateInstanceInAutoScalingGroupCommand({
      InstanceId: instanceId,
      ShouldDecrementDesiredCapacity: false,
    }),
    { abortSignal: signal },
  );
}
