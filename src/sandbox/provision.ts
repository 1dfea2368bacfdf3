import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  CreateLaunchTemplateCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
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
import type { Clients, RegionClients } from './clients.js';
import { registerImage } from './images.js';
import type { Layout, RegionKey, RegionLayout } from './layout.js';

export { VERSION_TAG } from './images.js';
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

async function bucket(rl: RegionLayout, rc: RegionClients, signal: AbortSignal): Promise<void> {
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
}

/**
 * A DynamoDB table shaped for Vault's HA lock, pre-created so Vault's dynamodb backend finds it
 * ACTIVE and never waits for a new table. False when it was there already.
 */
export async function createLockTable(
  rc: RegionClients,
  table: string,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await rc.dynamodb.send(
      new CreateTableCommand({
        TableName: table,
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
      { abortSignal: signal },
    );
    return true;
  } catch (err) {
    if (err instanceof ResourceInUseException) return false;
    throw err;
  }
}

async function haTable(rl: RegionLayout, rc: RegionClients, signal: AbortSignal): Promise<void> {
  await createLockTable(rc, rl.table, signal);
}

async function network(rl: RegionLayout, rc: RegionClients, signal: AbortSignal) {
  const opts = { abortSignal: signal };
  const vpc = await rc.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${rl.octet}.0.0/16` }), opts);
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnets = await Promise.all(
    rl.azs.map(async (az, i) => {
      const sn = await rc.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.${rl.octet}.${i}.0/24`,
          AvailabilityZone: az,
        }),
        opts,
      );
      return { az, subnetId: sn.Subnet?.SubnetId ?? '' };
    }),
  );
  return { vpcId, subnets };
}

/** One AMI per built Vault version (the sandbox's images), and the launch template on one. */
async function images(
  rl: RegionLayout,
  rc: RegionClients,
  versions: readonly string[],
  defaultVersion: string,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const opts = { abortSignal: signal };
  const amis: Record<string, string> = {};
  for (const v of versions) amis[await registerImage(rc, v, `vault-sandbox-${v}`, signal)] = v;
  const defaultAmi = Object.entries(amis).find(([, v]) => v === defaultVersion)?.[0] ?? '';
  await rc.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: rl.launchTemplate,
      VersionDescription: `Vault ${defaultVersion}`,
      LaunchTemplateData: { ImageId: defaultAmi, InstanceType: 't3.small' },
    }),
    opts,
  );
  return amis;
}

async function loadBalancer(
  l: Layout,
  rl: RegionLayout,
  rc: RegionClients,
  net: { vpcId: string; subnets: readonly { subnetId: string }[] },
  signal: AbortSignal,
): Promise<string> {
  const opts = { abortSignal: signal };
  const tg = await rc.elbv2.send(
    new CreateTargetGroupCommand({
      Name: `vault-sandbox-${rl.key}`,
      Protocol: 'HTTPS',
      Port: l.vaultPort,
      VpcId: net.vpcId,
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
      Name: `vault-sandbox-${rl.key}`,
      Subnets: net.subnets.map((x) => x.subnetId),
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
  return targetGroupArn;
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
  const [, , net, amis] = await Promise.all([
    bucket(rl, rc, signal),
    haTable(rl, rc, signal),
    network(rl, rc, signal),
    images(rl, rc, versions, defaultVersion, signal),
  ]);
  const targetGroupArn = await loadBalancer(l, rl, rc, net, signal);
  // Created empty: the supervisor then fills it one instance at a time into the emptiest AZ,
  // as AWS balances an ASG (moto alone would put every instance into the first subnet).
  await rc.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: rl.asg,
      LaunchTemplate: { LaunchTemplateName: rl.launchTemplate, Version: '$Latest' },
      MinSize: 0,
      MaxSize: 6,
      DesiredCapacity: 0,
      VPCZoneIdentifier: net.subnets.map((x) => x.subnetId).join(','),
      TargetGroupARNs: [targetGroupArn],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 30,
      Tags: [{ Key: SANDBOX_TAG, Value: key, PropagateAtLaunch: true }],
    }),
    { abortSignal: signal },
  );
  return { subnets: net.subnets, amis, targetGroupArn };
}

/** Everything AWS-side the runbooks touch, created in a fresh (in-memory) moto. */
export async function provision(
  l: Layout,
  c: Clients,
  versions: readonly string[],
  defaultVersion: string,
  signal: AbortSignal,
): Promise<Resources> {
  const [primary, dr, zoneId] = await Promise.all([
    regionResources(l, c, 'primary', versions, defaultVersion, signal),
    regionResources(l, c, 'dr', versions, defaultVersion, signal),
    route53(l, c, signal),
  ]);
  return { regions: { primary, dr }, zoneId };
}

async function route53(l: Layout, c: Clients, signal: AbortSignal): Promise<string> {
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
  return zoneId;
}
