import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  CreateLaunchTemplateCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import type { Clients } from './clients.js';
import { REGION_KEYS, type Layout, type RegionKey } from './layout.js';

/** The tag that says which Vault version an AMI stands for (the sandbox's "image"). */
export const VERSION_TAG = 'vault-runbook:vault-version';
/** Propagated to every instance of a sandbox ASG. */
export const SANDBOX_TAG = 'vault-runbook:sandbox';

export interface RegionResources {
  /** AZ → subnet id, in AZ order. */
  readonly subnets: readonly { readonly az: string; readonly subnetId: string }[];
  /** AMI id → Vault version. */
  readonly amis: Readonly<Record<string, string>>;
  readonly targetGroupArn: string;
}

export interface Resources {
  readonly regions: Readonly<Record<RegionKey, RegionResources>>;
  readonly zoneId: string;
}

async function regionResources(
  l: Layout,
  c: Clients,
  key: RegionKey,
  versions: readonly string[],
  defaultVersion: string,
  signal: AbortSignal,
): Promise<RegionResources> {
  const rl = l.regions[key];
  const rc = c.regions[key];
  const opts = { abortSignal: signal };

  // MinIO keeps its data across `down`/`up` (it is Vault's storage), so the bucket may exist.
  try {
    await rc.s3.send(new CreateBucketCommand({ Bucket: rl.bucket }), opts);
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  }
  await rc.s3.send(
    new PutBucketVersioningCommand({
      Bucket: rl.bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
    opts,
  );

  // Pre-created, so Vault's dynamodb backend finds it ACTIVE and never waits for a new table.
  try {
    await rc.dynamodb.send(
      new CreateTableCommand({
        TableName: rl.table,
        AttributeDefinitions: [
          { AttributeName: 'Path', AttributeType: 'S' },
          { AttributeName: 'Key', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'Path', KeyType: 'HASH' },
          { AttributeName: 'Key', KeyType: 'RANGE' },
        ],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      }),
      opts,
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }

  const octet = rl.octet;
  const vpc = await rc.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }), opts);
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnets: { az: string; subnetId: string }[] = [];
  for (const [i, az] of rl.azs.entries()) {
    const s = await rc.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.${octet}.${i}.0/24`,
        AvailabilityZone: az,
      }),
      opts,
    );
    subnets.push({ az, subnetId: s.Subnet?.SubnetId ?? '' });
  }

  const amis: Record<string, string> = {};
  for (const v of versions) {
    const img = await rc.ec2.send(
      new RegisterImageCommand({
        Name: `vault-sandbox-${v}`,
        Description: `vault-runbook sandbox image: Vault ${v}`,
      }),
      opts,
    );
    const id = img.ImageId ?? '';
    await rc.ec2.send(
      new CreateTagsCommand({ Resources: [id], Tags: [{ Key: VERSION_TAG, Value: v }] }),
      opts,
    );
    amis[id] = v;
  }
  const defaultAmi = Object.entries(amis).find(([, v]) => v === defaultVersion)?.[0] ?? '';
  await rc.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: rl.launchTemplate,
      VersionDescription: `Vault ${defaultVersion}`,
      LaunchTemplateData: { ImageId: defaultAmi, InstanceType: 't3.small' },
    }),
    opts,
  );

  const tg = await rc.elbv2.send(
    new CreateTargetGroupCommand({
      Name: `vault-sandbox-${key}`,
      Protocol: 'HTTPS',
      Port: l.vaultPort,
      VpcId: vpcId,
      TargetType: 'instance',
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: '/v1/sys/health',
      Matcher: { HttpCode: '200' },
    }),
    opts,
  );
  const targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
  const lb = await rc.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `vault-sandbox-${key}`,
      Subnets: subnets.map((s) => s.subnetId),
      Scheme: 'internal',
      Type: 'application',
    }),
    opts,
  );
  await rc.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '',
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
    opts,
  );

  // Created empty: the supervisor then fills it one instance at a time into the emptiest AZ,
  // as AWS balances an ASG (moto alone would put every instance into the first subnet).
  await rc.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: rl.asg,
      LaunchTemplate: { LaunchTemplateName: rl.launchTemplate, Version: '$Latest' },
      MinSize: 0,
      MaxSize: 6,
      DesiredCapacity: 0,
      VPCZoneIdentifier: subnets.map((s) => s.subnetId).join(','),
      TargetGroupARNs: [targetGroupArn],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 30,
      Tags: [{ Key: SANDBOX_TAG, Value: key, PropagateAtLaunch: true }],
    }),
    opts,
  );
  return { subnets, amis, targetGroupArn };
}

/** Everything AWS-side the runbooks touch, created in a fresh (in-memory) moto. */
export async function provision(
  l: Layout,
  c: Clients,
  versions: readonly string[],
  defaultVersion: string,
  signal: AbortSignal,
): Promise<Resources> {
  const regions = {} as Record<RegionKey, RegionResources>;
  for (const key of REGION_KEYS)
    regions[key] = await regionResources(l, c, key, versions, defaultVersion, signal);
  const zone = await c.route53.send(
    new CreateHostedZoneCommand({
      Name: `${l.zoneName}.`,
      CallerReference: `vault-sandbox-${Date.now()}`,
    }),
    { abortSignal: signal },
  );
  const zoneId = (zone.HostedZone?.Id ?? '').replace(/^\/hostedzone\//, '');
  await c.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Comment: 'vault-runbook sandbox: the active region',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: `${l.recordName}.`,
              Type: 'A',
              TTL: 10,
              ResourceRecords: [{ Value: l.regions.primary.proxyHost }],
            },
          },
        ],
      },
    }),
    { abortSignal: signal },
  );
  return { regions, zoneId };
}
