import type {
  DescribeInstancesCommand,
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  Instance,
} from '@aws-sdk/client-ec2';
import type { Ec2Instance } from '../../engine/aws.js';

/**
 * Every instance DescribeInstances lists for `input`, following NextToken to the last page
 * (AWS pages a filtered listing, and a page can be empty with a token still set). The one
 * pagination of DescribeInstances in the tree: the recovery adapter (./recovery-ec2.ts) and
 * the sandbox's reconciler (src/sandbox/asg.ts, src/sandbox/recovery-instances.ts) use it.
 *
 * The command class is passed in, not imported: the adapters load the EC2 SDK lazily
 * (./clients.ts), the sandbox statically; a type-only import keeps this module free of it.
 */
export async function describeAllInstances(
  client: {
    send(
      c: DescribeInstancesCommand,
      o: { abortSignal: AbortSignal },
    ): Promise<DescribeInstancesCommandOutput>;
  },
  Describe: typeof DescribeInstancesCommand,
  input: Omit<DescribeInstancesCommandInput, 'NextToken'>,
  signal: AbortSignal,
): Promise<Instance[]> {
  const out: Instance[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(
      new Describe({ ...input, ...(token ? { NextToken: token } : {}) }),
      {
        abortSignal: signal,
      },
    );
    for (const res of r.Reservations ?? []) out.push(...(res.Instances ?? []));
    token = r.NextToken;
  } while (token);
  return out;
}

/** One listed instance as the engine sees it (the adapter's and the sandbox's one reading). */
export function toEc2Instance(i: Instance): Ec2Instance {
  return {
    instanceId: i.InstanceId ?? '',
    state: i.State?.Name ?? '',
    az: i.Placement?.AvailabilityZone ?? '',
    imageId: i.ImageId ?? '',
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    ...(i.LaunchTime ? { launchTime: i.LaunchTime.toISOString() } : {}),
    tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}
