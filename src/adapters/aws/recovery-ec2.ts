import type { DescribeLaunchTemplateVersionsCommandOutput } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';

type LaunchTemplateVersions = DescribeLaunchTemplateVersionsCommandOutput['LaunchTemplateVersions'];

// EC2 for the S3-quarantine recovery node (src/adapters/recovery-aws.ts): what the ASG launches
// (AMI, type, user-data, instance profile), the isolated subnet's VPC, the node's own security
// group and the instance itself. Every call takes the caller's signal; each client call has
// the deadlines of ./clients.ts.

/** The tag that marks everything made for one recovery node; its value is the node's name. */
export const RECOVERY_TAG = 'vault-runbook:recovery-node';
export const RUN_TAG = 'vault-runbook:run-id';
export const BUCKET_TAG = 'vault-runbook:quarantine-bucket';

type Tags = Readonly<Record<string, string>>;
const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const tagMap = (t: readonly { Key?: string; Value?: string }[] | undefined): Tags =>
  Object.fromEntries((t ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));

async function ec2(aws: AwsClients, region: string) {
  const { client } = await aws.ec2(region);
  const sdk = await import('./recovery-sdk.js');
  return { client, sdk };
}

const errName = (err: unknown): string => (err as { name?: string }).name ?? '';

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

/** The subnet's VPC and that VPC's primary CIDR. */
export async function subnetNetwork(
  aws: AwsClients,
  subnetId: string,
  region: string,
  signal: AbortSignal,
): Promise<{ vpcId: string; vpcCidr: string }> {
  const { client, sdk } = await ec2(aws, region);
  const s = await client.send(new sdk.DescribeSubnetsCommand({ SubnetIds: [subnetId] }), {
    abortSignal: signal,
  });
  const vpcId = s.Subnets?.[0]?.VpcId;
  if (!vpcId) throw new Error(`subnet ${subnetId} is not there in ${region}`);
  const v = await client.send(new sdk.DescribeVpcsCommand({ VpcIds: [vpcId] }), {
    abortSignal: signal,
  });
  const vpcCidr = v.Vpcs?.[0]?.CidrBlock;
  if (!vpcCidr) throw new Error(`VPC ${vpcId} of subnet ${subnetId} has no IPv4 CIDR`);
  return { vpcId, vpcCidr };
}

export interface GroupRules {
  readonly port: number;
  readonly operatorCidr: string;
  readonly egressCidrs: readonly string[];
  readonly egressPrefixLists: readonly string[];
}

/**
 * A security group of its own: in, only the Vault port from the operator's CIDR; out, only 443
 * to the given CIDRs (interface endpoints) and prefix lists (the S3 gateway endpoint). The
 * default allow-all egress rule is revoked, so nothing else leaves the node.
 */
export async function createGroup(
  aws: AwsClients,
  region: string,
  vpcId: string,
  groupName: string,
  rules: GroupRules,
  tags: Tags,
  signal: AbortSignal,
): Promise<string> {
  const { client, sdk } = await ec2(aws, region);
  const o = { abortSignal: signal };
  const g = await client.send(
    new sdk.CreateSecurityGroupCommand({
      GroupName: groupName,
      Description: 'vault-runbook S3 quarantine recovery node: isolated, operator only',
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tagList(tags) }],
    }),
    o,
  );
  const id = g.GroupId;
  if (!id) throw new Error(`creating security group ${groupName} returned no id`);
  await client.send(
    new sdk.RevokeSecurityGroupEgressCommand({
      GroupId: id,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
    o,
  );
  await client.send(
    new sdk.AuthorizeSecurityGroupIngressCommand({
      GroupId: id,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: rules.port,
          ToPort: rules.port,
          IpRanges: [{ CidrIp: rules.operatorCidr, Description: 'operator: Vault API' }],
        },
      ],
    }),
    o,
  );
  await client.send(
    new sdk.AuthorizeSecurityGroupEgressCommand({
      GroupId: id,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          ...(rules.egressCidrs.length
            ? { IpRanges: rules.egressCidrs.map((CidrIp) => ({ CidrIp })) }
            : {}),
          ...(rules.egressPrefixLists.length
            ? { PrefixListIds: rules.egressPrefixLists.map((PrefixListId) => ({ PrefixListId })) }
            : {}),
        },
      ],
    }),
    o,
  );
  return id;
}

/** The security groups made for a recovery node (by tag; all of them when name is absent). */
export async function findGroups(
  aws: AwsClients,
  region: string,
  name: string | undefined,
  signal: AbortSignal,
): Promise<string[]> {
  const { client, sdk } = await ec2(aws, region);
  const r = await client.send(
    new sdk.DescribeSecurityGroupsCommand({
      Filters: [
        name
          ? { Name: `tag:${RECOVERY_TAG}`, Values: [name] }
          : { Name: 'tag-key', Values: [RECOVERY_TAG] },
      ],
    }),
    { abortSignal: signal },
  );
  return (r.SecurityGroups ?? []).map((g) => g.GroupId ?? '').filter(Boolean);
}

/** Deletes a group: 'gone' when it was not there, 'busy' while an interface still uses it. */
export async function deleteGroup(
  aws: AwsClients,
  region: string,
  groupId: string,
  signal: AbortSignal,
): Promise<'deleted' | 'gone' | 'busy'> {
  const { client, sdk } = await ec2(aws, region);
  try {
    await client.send(new sdk.DeleteSecurityGroupCommand({ GroupId: groupId }), {
      abortSignal: signal,
    });
    return 'deleted';
  } catch (err) {
    const n = errName(err);
    if (n === 'InvalidGroup.NotFound' || n === 'InvalidGroupId.NotFound') return 'gone';
    if (n === 'DependencyViolation') return 'busy';
    throw err;
  }
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
  const out: RecoveryInstance[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(
      new sdk.DescribeInstancesCommand({
        ...(opts.ids ? { InstanceIds: [...opts.ids] } : {}),
        Filters: [
          name
            ? { Name: `tag:${RECOVERY_TAG}`, Values: [name] }
            : { Name: 'tag-key', Values: [RECOVERY_TAG] },
          ...(opts.withTerminated ? [] : [{ Name: 'instance-state-name', Values: LIVE_STATES }]),
        ],
        NextToken: token,
      }),
      { abortSignal: signal },
    );
    for (const res of r.Reservations ?? [])
      for (const i of res.Instances ?? [])
        out.push({
          instanceId: i.InstanceId ?? '',
          state: i.State?.Name ?? '',
          ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
          tags: tagMap(i.Tags),
        });
    token = r.NextToken;
  } while (token);
  return out;
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

/**
 * A bucket policy on the quarantine bucket that lets the recovery role read and write it.
 * Nothing in IAM changes: the policy goes with the bucket when the quarantine is destroyed.
 */
export async function grantBucket(
  aws: AwsClients,
  region: string,
  bucket: string,
  roleArn: string,
  signal: AbortSignal,
): Promise<void> {
  const { sdk, client } = await aws.s3(region);
  const partition = roleArn.split(':')[1] ?? 'aws';
  const principal = { AWS: [roleArn] };
  await client.send(
    new sdk.PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'VaultRecoveryNodeObjects',
            Effect: 'Allow',
            Principal: principal,
            Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
            Resource: [`arn:${partition}:s3:::${bucket}/*`],
          },
          {
            Sid: 'VaultRecoveryNodeList',
            Effect: 'Allow',
            Principal: principal,
            Action: ['s3:ListBucket', 's3:GetBucketLocation'],
            Resource: [`arn:${partition}:s3:::${bucket}`],
          },
        ],
      }),
    }),
    { abortSignal: signal },
  );
}
