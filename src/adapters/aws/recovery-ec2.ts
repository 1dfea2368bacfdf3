import type { DescribeLaunchTemplateVersionsCommandOutput } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import { describeAllInstances } from './ec2-pages.js';

type LaunchTemplateVersions = DescribeLaunchTemplateVersionsCommandOutput['LaunchTemplateVersions'];

// EC2 for the S3-quarantine recovery node (src/adapters/recovery-aws.ts): what the ASG launches
// (AMI, type, user-data, instance profile), the isolated subnet's VPC and the instance itself;
// its security group is in ./recovery-sg.ts, the quarantine bucket's grant in ./recovery-bucket.ts. Every call takes the caller's signal; each client call has
// the deadlines of ./clients.ts.

/** The tag that marks everything made for one recovery node; its value is the node's name. */
export const RECOVERY_TAG = 'vault-runbook:recovery-node';
export const RUN_TAG = 'vault-runbook:run-id';
export const BUCKET_TAG = 'vault-runbook:quarantine-bucket';

export type Tags = Readonly<Record<string, string>>;
export const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const tagMap = (t: readonly { Key?: string; Value?: string }[] | undefined): Tags =>
  Object.fromEntries((t ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));

export async function ec2(aws: AwsClients, region: string) {
  const { client } = await aws.ec2(region);
  const sdk = await import('./recovery-sdk.js');
  return { client, sdk };
}

/** What the ASG's launch template gives a new node. */
export interface LaunchSource {
  readonly template: string;
  readonly version: string;
  readonly imageId: string;
  readonly instanceType?: string;
  /** The decoded user-data (the terraform module's JSON), if any. */
  readonly userData?: string;
  /** The production instance profile, as the template names it (ARN or name). */
  readonly instanceProfile?: string;
}

/** The launch template (and version) the ASG launches now; undefined without one. */
export async function launchSource(
  aws: AwsClients,
  asgName: string,
  region: string,
  signal: AbortSignal,
): Promise<LaunchSource | undefined> {
  const { sdk: asgSdk, client: asgClient } = await aws.autoscaling(region);
  const r = await asgClient.send(
    new asgSdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }),
    { abortSignal: signal },
  );
  const g = r.AutoScalingGroups?.[0];
  const lt =
    g?.LaunchTemplate ?? g?.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!lt) return undefined;
  const version = lt.Version ?? '$Default';
  const { client, sdk } = await ec2(aws, region);
  // Every version, chosen here: `$Latest`/`$Default` are not understood by every endpoint.
  const versions: NonNullable<LaunchTemplateVersions>[number][] = [];
  let token: string | undefined;
  do {
    const v = await client.send(
      new sdk.DescribeLaunchTemplateVersionsCommand({
        ...(lt.LaunchTemplateId
          ? { LaunchTemplateId: lt.LaunchTemplateId }
          : { LaunchTemplateName: lt.LaunchTemplateName }),
        NextToken: token,
      }),
      { abortSignal: signal },
    );
    versions.push(...(v.LaunchTemplateVersions ?? []));
    token = v.NextToken;
  } while (token);
  const found =
    version === '$Latest'
      ? versions.sort((a, b) => (b.VersionNumber ?? 0) - (a.VersionNumber ?? 0))[0]
      : version === '$Default'
        ? versions.find((x) => x.DefaultVersion)
        : versions.find((x) => String(x.VersionNumber) === version);
  const data = found?.LaunchTemplateData;
  if (!found || !data?.ImageId) return undefined;
  const profile = data.IamInstanceProfile?.Arn ?? data.IamInstanceProfile?.Name;
  return {
    template: found.LaunchTemplateName ?? lt.LaunchTemplateName ?? lt.LaunchTemplateId ?? '?',
    version: String(found.VersionNumber ?? version),
    imageId: data.ImageId,
    ...(data.InstanceType ? { instanceType: data.InstanceType } : {}),
    ...(data.UserData ? { userData: Buffer.from(data.UserData, 'base64').toString('utf8') } : {}),
    ...(profile ? { instanceProfile: profile } : {}),
  };
}

/** The subnet's VPC (where the recovery node's security group is made). */
export async function subnetVpc(
  aws: AwsClients,
  subnetId: string,
  region: string,
  signal: AbortSignal,
): Promise<string> {
  const { client, sdk } = await ec2(aws, region);
  const s = await client.send(new sdk.DescribeSubnetsCommand({ SubnetIds: [subnetId] }), {
    abortSignal: signal,
  });
  const vpcId = s.Subnets?.[0]?.VpcId;
  if (!vpcId) throw new Error(`subnet ${subnetId} is not there in ${region}`);
  return vpcId;
}

export interface LaunchRequest {
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly groupId: string;
  readonly instanceProfile: string;
  readonly userData: string;
  readonly tags: Tags;
}

export async function runInstance(
  aws: AwsClients,
  region: string,
  req: LaunchRequest,
  signal: AbortSignal,
): Promise<string> {
  const { client, sdk } = await ec2(aws, region);
  const r = await client.send(
    new sdk.RunInstancesCommand({
      ImageId: req.imageId,
      InstanceType: req.instanceType as never,
      MinCount: 1,
      MaxCount: 1,
      SubnetId: req.subnetId,
      SecurityGroupIds: [req.groupId],
      IamInstanceProfile: req.instanceProfile.startsWith('arn:')
        ? { Arn: req.instanceProfile }
        : { Name: req.instanceProfile },
      UserData: Buffer.from(req.userData, 'utf8').toString('base64'),
      // The render script reads IMDSv2 only (packer/files/vault-render-config).
      MetadataOptions: {
        HttpTokens: 'required',
        HttpEndpoint: 'enabled',
        HttpPutResponseHopLimit: 1,
      },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tagList(req.tags) },
        { ResourceType: 'volume', Tags: tagList(req.tags) },
      ],
    }),
    { abortSignal: signal },
  );
  const id = r.Instances?.[0]?.InstanceId;
  if (!id) throw new Error('RunInstances returned no instance');
  return id;
}

export interface RecoveryInstance {
  readonly instanceId: string;
  readonly state: string;
  readonly privateIp?: string;
  readonly tags: Tags;
}

/** Not terminated: what a cleanup still has to end. */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

/** The recovery instances (by tag; of one node when name is given), terminated ones left out unless asked. */
export async function findInstances(
  aws: AwsClients,
  region: string,
  name: string | undefined,
  signal: AbortSignal,
  opts: { ids?: readonly string[]; withTerminated?: boolean } = {},
): Promise<RecoveryInstance[]> {
  const { client, sdk } = await ec2(aws, region);
  const found = await describeAllInstances(
    client,
    sdk.DescribeInstancesCommand,
    {
      Filters: [
        // Not InstanceIds: an instance just launched can be unknown to EC2 for a while (eventual
        // consistency), and InstanceIds would fail with InvalidInstanceID.NotFound — read by the
        // start as a failure that destroys the node. A filter lists it once EC2 knows it.
        ...(opts.ids ? [{ Name: 'instance-id', Values: [...opts.ids] }] : []),
        name
          ? { Name: `tag:${RECOVERY_TAG}`, Values: [name] }
          : { Name: 'tag-key', Values: [RECOVERY_TAG] },
        ...(opts.withTerminated ? [] : [{ Name: 'instance-state-name', Values: LIVE_STATES }]),
      ],
    },
    signal,
  );
  return found.map((i) => ({
    instanceId: i.InstanceId ?? '',
    state: i.State?.Name ?? '',
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    tags: tagMap(i.Tags),
  }));
}

export async function terminate(
  aws: AwsClients,
  region: string,
  ids: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  if (ids.length === 0) return;
  const { client, sdk } = await ec2(aws, region);
  await client.send(new sdk.TerminateInstancesCommand({ InstanceIds: [...ids] }), {
    abortSignal: signal,
  });
}

/** The user-data an instance was launched with (decoded). */
export async function instanceUserData(
  aws: AwsClients,
  region: string,
  id: string,
  signal: AbortSignal,
): Promise<string> {
  const { client, sdk } = await ec2(aws, region);
  const r = await client.send(
    new sdk.DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }),
    { abortSignal: signal },
  );
  return Buffer.from(r.UserData?.Value ?? '', 'base64').toString('utf8');
}
