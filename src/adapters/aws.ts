// The SDK clients are loaded when first used: importing them costs more than a second of
// start-up, which every command would pay even without an AWS profile.
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ListObjectVersionsCommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Profile } from '../domain/schema.js';
import type {
  AsgDescription,
  AwsPort,
  DnsChange,
  DnsRecord,
  Ec2Instance,
  FailoverAwsPort,
  HaLock,
  ImageInfo,
  LaunchTemplateInfo,
  LaunchTemplateVersion,
  ObjectVersion,
  ReplicationLink,
} from '../engine/aws.js';

type Service = 'ec2' | 'autoscaling' | 's3' | 'dynamodb' | 'route53' | 'elbv2';

interface ClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts: number;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  requestHandler: AwsTimeouts & { throwOnRequestTimeout: boolean };
}

/**
 * Deadlines for every AWS call (the SDK has none by default): an endpoint that accepts and
 * never answers costs one timeout per attempt, not a step that hangs until someone presses
 * Ctrl-C.
 */
export interface AwsTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}
export const AWS_TIMEOUTS: AwsTimeouts = { connectionTimeout: 5_000, requestTimeout: 30_000 };

/**
 * Clients per service and region. Credentials come from the standard chain (AWS_PROFILE, env,
 * SSO, instance role); a profile's `endpoints` override where each service is reached (the
 * sandbox points them at moto and MinIO on loopback).
 */
export class AwsSdk implements AwsPort, FailoverAwsPort {
  readonly #endpoints: Readonly<Record<string, string>>;
  readonly #clients = new Map<string, Promise<unknown>>();
  readonly #credentials: ClientConfig['credentials'];

  /** `credentials` only for the sandbox's fixed dummy keys; real clusters use the chain. */
  readonly #timeouts: AwsTimeouts;

  constructor(
    endpoints: Readonly<Record<string, string>> = {},
    credentials?: ClientConfig['credentials'],
    timeouts: AwsTimeouts = AWS_TIMEOUTS,
  ) {
    this.#endpoints = endpoints;
    this.#credentials = credentials;
    this.#timeouts = timeouts;
  }

  #config(service: Service, region: string): ClientConfig {
    const endpoint = this.#endpoints[service];
    return {
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(service === 's3' && endpoint ? { forcePathStyle: true } : {}),
      maxAttempts: 2,
      // Without throwOnRequestTimeout the SDK only logs a warning when the deadline passes.
      requestHandler: { ...this.#timeouts, throwOnRequestTimeout: true },
      ...(this.#credentials ? { credentials: this.#credentials } : {}),
    };
  }

  #get<T>(key: string, make: () => Promise<T>): Promise<T> {
    let c = this.#clients.get(key) as Promise<T> | undefined;
    if (!c) {
      c = make();
      this.#clients.set(key, c);
    }
    return c;
  }

  ec2(region: string): Promise<EC2Client> {
    return this.#get(`ec2:${region}`, async () => {
      const { EC2Client: Client } = await import('@aws-sdk/client-ec2');
      return new Client(this.#config('ec2', region));
    });
  }

  autoscaling(region: string): Promise<AutoScalingClient> {
    return this.#get(`asg:${region}`, async () => {
      const { AutoScalingClient: Client } = await import('@aws-sdk/client-auto-scaling');
      return new Client(this.#config('autoscaling', region));
    });
  }

  s3(region: string): Promise<S3Client> {
    return this.#get(`s3:${region}`, async () => {
      const { S3Client: Client } = await import('@aws-sdk/client-s3');
      return new Client(this.#config('s3', region));
    });
  }

  async describeAsg(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<AsgDescription | undefined> {
    const { DescribeAutoScalingGroupsCommand } = await import('@aws-sdk/client-auto-scaling');
    const client = await this.autoscaling(region);
    const r = await client.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
      {
        abortSignal: signal,
      },
    );
    const g = r.AutoScalingGroups?.[0];
    if (!g) return undefined;
    return {
      name,
      desired: g.DesiredCapacity ?? 0,
      min: g.MinSize ?? 0,
      max: g.MaxSize ?? 0,
      instances: (g.Instances ?? []).map((i) => ({
        instanceId: i.InstanceId ?? '',
        az: i.AvailabilityZone ?? '',
        lifecycleState: i.LifecycleState ?? '',
        healthStatus: i.HealthStatus ?? '',
        ...(i.LaunchTemplate?.Version ? { launchTemplateVersion: i.LaunchTemplate.Version } : {}),
      })),
    };
  }

  async describeInstances(
    ids: readonly string[],
    region: string,
    signal: AbortSignal,
  ): Promise<Ec2Instance[]> {
    if (ids.length === 0) return [];
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const client = await this.ec2(region);
    const r = await client.send(new DescribeInstancesCommand({ InstanceIds: [...ids] }), {
      abortSignal: signal,
    });
    return (r.Reservations ?? []).flatMap((res) =>
      (res.Instances ?? []).map((i) => ({
        instanceId: i.InstanceId ?? '',
        state: i.State?.Name ?? '',
        az: i.Placement?.AvailabilityZone ?? '',
        imageId: i.ImageId ?? '',
        ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
        tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      })),
    );
  }

  async listObjectVersions(
    bucket: string,
    region: string,
    signal: AbortSignal,
    prefix?: string,
  ): Promise<ObjectVersion[]> {
    const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    const out: ObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (;;) {
      const r: ListObjectVersionsCommandOutput = await client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          ...(prefix ? { Prefix: prefix } : {}),
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
        { abortSignal: signal },
      );
      for (const v of r.Versions ?? [])
        out.push({
          key: v.Key ?? '',
          versionId: v.VersionId ?? 'null',
          isLatest: v.IsLatest ?? false,
          lastModified: v.LastModified?.toISOString() ?? '',
          size: v.Size ?? 0,
          ...(v.ETag ? { etag: v.ETag } : {}),
          deleteMarker: false,
        });
      for (const d of r.DeleteMarkers ?? [])
        out.push({
          key: d.Key ?? '',
          versionId: d.VersionId ?? 'null',
          isLatest: d.IsLatest ?? false,
          lastModified: d.LastModified?.toISOString() ?? '',
          size: 0,
          deleteMarker: true,
        });
      if (!r.IsTruncated) return out;
      keyMarker = r.NextKeyMarker;
      versionMarker = r.NextVersionIdMarker;
    }
  }

  // ── region failover / failback (runbooks/region-failover.yaml, region-failback.yaml) ──

  dynamodb(region: string): Promise<DynamoDBClient> {
    return this.#get(`ddb:${region}`, async () => {
      const { DynamoDBClient: Client } = await import('@aws-sdk/client-dynamodb');
      return new Client(this.#config('dynamodb', region));
    });
  }

  route53(): Promise<Route53Client> {
    // Route 53 is global; its API lives in us-east-1.
    return this.#get('route53', async () => {
      const { Route53Client: Client } = await import('@aws-sdk/client-route-53');
      return new Client(this.#config('route53', 'us-east-1'));
    });
  }

  async setAsgCapacity(
    name: string,
    region: string,
    cap: { readonly min: number; readonly desired: number; readonly max: number },
    signal: AbortSignal,
  ): Promise<void> {
    const { UpdateAutoScalingGroupCommand } = await import('@aws-sdk/client-auto-scaling');
    const client = await this.autoscaling(region);
    await client.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        MinSize: cap.min,
        DesiredCapacity: cap.desired,
        MaxSize: cap.max,
      }),
      { abortSignal: signal },
    );
  }

  async describeTable(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<{ readonly status: string } | undefined> {
    const { DescribeTableCommand, ResourceNotFoundException } =
      await import('@aws-sdk/client-dynamodb');
    const client = await this.dynamodb(region);
    try {
      const r = await client.send(new DescribeTableCommand({ TableName: name }), {
        abortSignal: signal,
      });
      return { status: r.Table?.TableStatus ?? 'UNKNOWN' };
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }

  async readHaLock(
    table: string,
    region: string,
    signal: AbortSignal,
  ): Promise<HaLock | undefined> {
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const client = await this.dynamodb(region);
    const r = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { Path: { S: 'core' }, Key: { S: 'lock' } },
        ConsistentRead: true,
      }),
      { abortSignal: signal },
    );
    const item = r.Item;
    if (!item?.Identity?.B || !item.Expires?.N) return undefined;
    const value = item.Value?.B ? Buffer.from(item.Value.B).toString('utf8') : undefined;
    return {
      holder: Buffer.from(item.Identity.B).toString('base64'),
      expiresAt: Number(BigInt(item.Expires.N) / 1_000_000n),
      ...(value && /^[\x20-\x7e]+$/.test(value) ? { value } : {}),
    };
  }

  async getObject(
    bucket: string,
    region: string,
    key: string,
    versionId: string,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    const r = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      { abortSignal: signal },
    );
    return (await r.Body?.transformToByteArray()) ?? new Uint8Array();
  }

  async putObject(
    bucket: string,
    region: string,
    key: string,
    body: Uint8Array,
    signal: AbortSignal,
  ): Promise<string> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    const r = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }), {
      abortSignal: signal,
    });
    return r.VersionId ?? 'null';
  }

  async deleteObject(
    bucket: string,
    region: string,
    key: string,
    signal: AbortSignal,
  ): Promise<string> {
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    const r = await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: signal,
    });
    return r.VersionId ?? 'null';
  }

  async dnsRecord(
    zoneId: string,
    name: string,
    signal: AbortSignal,
  ): Promise<DnsRecord | undefined> {
    const { ListResourceRecordSetsCommand } = await import('@aws-sdk/client-route-53');
    const client = await this.route53();
    const fqdn = `${name.replace(/\.$/, '')}.`;
    const r = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: fqdn,
        MaxItems: 5,
      }),
      { abortSignal: signal },
    );
    const set = (r.ResourceRecordSets ?? []).find(
      (x) => x.Name === fqdn && (x.Type === 'A' || x.Type === 'CNAME'),
    );
    if (!set) return undefined;
    return {
      name: fqdn,
      type: set.Type ?? 'A',
      ttl: set.TTL ?? 60,
      values: (set.ResourceRecords ?? []).map((x) => x.Value ?? ''),
    };
  }

  async dnsUpsert(zoneId: string, record: DnsRecord, signal: AbortSignal): Promise<DnsChange> {
    const { ChangeResourceRecordSetsCommand } = await import('@aws-sdk/client-route-53');
    const client = await this.route53();
    const r = await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: 'vault-runbook region failover/failback',
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: record.name,
                Type: record.type === 'CNAME' ? 'CNAME' : 'A',
                TTL: record.ttl,
                ResourceRecords: record.values.map((Value) => ({ Value })),
              },
            },
          ],
        },
      }),
      { abortSignal: signal },
    );
    return { id: r.ChangeInfo?.Id ?? '', status: r.ChangeInfo?.Status ?? 'PENDING' };
  }

  async dnsChange(id: string, signal: AbortSignal): Promise<DnsChange> {
    const { GetChangeCommand } = await import('@aws-sdk/client-route-53');
    const client = await this.route53();
    const r = await client.send(new GetChangeCommand({ Id: id }), { abortSignal: signal });
    return { id, status: r.ChangeInfo?.Status ?? 'PENDING' };
  }

  async replicationLink(
    bucket: string,
    region: string,
    signal: AbortSignal,
  ): Promise<ReplicationLink> {
    if (this.#credentials) {
      // Only the sandbox has fixed keys; its replication is an emulation its supervisor runs.
      const { sandboxReplicationLink } = await import('../sandbox/replication-link.js');
      return sandboxReplicationLink(process.env);
    }
    const { GetBucketReplicationCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    try {
      const r = await client.send(new GetBucketReplicationCommand({ Bucket: bucket }), {
        abortSignal: signal,
      });
      const rules = r.ReplicationConfiguration?.Rules ?? [];
      const off = rules.filter((x) => x.Status !== 'Enabled');
      return rules.length > 0 && off.length === 0
        ? { enabled: true, detail: `${rules.length} replication rule(s) enabled` }
        : {
            enabled: false,
            detail: rules.length ? `${off.length} rule(s) disabled` : 'no replication rule',
          };
    } catch (err) {
      if ((err as { name?: string }).name === 'ReplicationConfigurationNotFoundError')
        return { enabled: false, detail: 'no replication configuration' };
      throw err;
    }
  }

  async resumeReplication(bucket: string, region: string, signal: AbortSignal): Promise<string> {
    if (this.#credentials) {
      const { resumeSandboxReplication } = await import('../sandbox/replication-link.js');
      return resumeSandboxReplication(process.env, signal);
    }
    const { GetBucketReplicationCommand, PutBucketReplicationCommand } =
      await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    const r = await client.send(new GetBucketReplicationCommand({ Bucket: bucket }), {
      abortSignal: signal,
    });
    const cfg = r.ReplicationConfiguration;
    if (!cfg?.Rules?.length)
      throw new Error(
        `${bucket} has no replication rule to resume: re-apply the terraform module (it owns the CRR rule)`,
      );
    await client.send(
      new PutBucketReplicationCommand({
        Bucket: bucket,
        ReplicationConfiguration: {
          ...cfg,
          Rules: cfg.Rules.map((x) => ({ ...x, Status: 'Enabled' })),
        },
      }),
      { abortSignal: signal },
    );
    return `${cfg.Rules.length} replication rule(s) of ${bucket} enabled`;
  }

  // ── S3 secret recovery (runbooks/s3-secret-recovery.yaml) ──
  async scaleAsg(
    name: string,
    desired: number,
    region: string,
    signal: AbortSignal,
    min?: number,
  ): Promise<void> {
    const { UpdateAutoScalingGroupCommand } = await import('@aws-sdk/client-auto-scaling');
    const client = await this.autoscaling(region);
    await client.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        DesiredCapacity: desired,
        ...(min !== undefined ? { MinSize: min } : {}),
      }),
      { abortSignal: signal },
    );
  }

  async copyObjectVersion(
    from: { readonly bucket: string; readonly key: string; readonly versionId: string },
    to: { readonly bucket: string; readonly key: string },
    region: string,
    signal: AbortSignal,
  ): Promise<{ readonly versionId: string }> {
    const { CopyObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    // CopySource is "bucket/key?versionId=…" with the key URL-encoded (slashes kept).
    const key = encodeURIComponent(from.key).replace(/%2F/g, '/');
    const r = await client.send(
      new CopyObjectCommand({
        Bucket: to.bucket,
        Key: to.key,
        CopySource: `${from.bucket}/${key}?versionId=${encodeURIComponent(from.versionId)}`,
      }),
      { abortSignal: signal },
    );
    return { versionId: r.VersionId ?? 'null' };
  }

  async bucketExists(bucket: string, region: string, signal: AbortSignal): Promise<boolean> {
    const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw err;
    }
  }

  async createBucket(bucket: string, region: string, signal: AbortSignal): Promise<void> {
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that refuses an explicit location constraint.
        ...(region !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: region as never } }
          : {}),
      }),
      { abortSignal: signal },
    );
  }

  async deleteBucket(
    bucket: string,
    region: string,
    signal: AbortSignal,
  ): Promise<{ objects: number }> {
    const { DeleteObjectsCommand, DeleteBucketCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    const all = await this.listObjectVersions(bucket, region, signal);
    for (let i = 0; i < all.length; i += 1000) {
      const batch = all.slice(i, i + 1000);
      const r = await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: {
            Objects: batch.map((v) => ({
              Key: v.key,
              ...(v.versionId !== 'null' ? { VersionId: v.versionId } : {}),
            })),
            Quiet: true,
          },
        }),
        { abortSignal: signal },
      );
      const failed = r.Errors ?? [];
      if (failed.length > 0)
        throw new Error(
          `${bucket}: ${failed.length} object version(s) not deleted (first: ${failed[0]?.Key ?? '?'}: ${failed[0]?.Message ?? failed[0]?.Code ?? '?'})`,
        );
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    return { objects: all.length };
  }

  // ── rolling-upgrade / replace-node / rollback-upgrade ──

  async bucketVersioning(bucket: string, region: string, signal: AbortSignal): Promise<string> {
    const { GetBucketVersioningCommand } = await import('@aws-sdk/client-s3');
    const client = await this.s3(region);
    const r = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }), {
      abortSignal: signal,
    });
    return r.Status ?? 'Disabled';
  }

  async launchTemplate(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<LaunchTemplateInfo | undefined> {
    const { DescribeLaunchTemplateVersionsCommand } = await import('@aws-sdk/client-ec2');
    const client = await this.ec2(region);
    let r;
    try {
      r = await client.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: name }),
        { abortSignal: signal },
      );
    } catch (err) {
      if ((err as { name?: string }).name?.includes('NotFound')) return undefined;
      throw err;
    }
    const versions = (r.LaunchTemplateVersions ?? [])
      .map((v) => ({
        version: v.VersionNumber ?? 0,
        imageId: v.LaunchTemplateData?.ImageId ?? '',
        ...(v.VersionDescription ? { description: v.VersionDescription } : {}),
        isDefault: v.DefaultVersion ?? false,
      }))
      .sort((a, b) => b.version - a.version);
    const latest = versions[0];
    return latest ? { name, latest, versions } : undefined;
  }

  async createLaunchTemplateVersion(
    name: string,
    region: string,
    imageId: string,
    description: string,
    signal: AbortSignal,
  ): Promise<LaunchTemplateVersion> {
    const { CreateLaunchTemplateVersionCommand, ModifyLaunchTemplateCommand } =
      await import('@aws-sdk/client-ec2');
    const client = await this.ec2(region);
    const r = await client.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: name,
        SourceVersion: '$Latest',
        VersionDescription: description,
        LaunchTemplateData: { ImageId: imageId },
      }),
      { abortSignal: signal },
    );
    const version = r.LaunchTemplateVersion?.VersionNumber ?? 0;
    // As terraform's update_default_version does: `$Default` and `$Latest` name the same one.
    await client.send(
      new ModifyLaunchTemplateCommand({
        LaunchTemplateName: name,
        DefaultVersion: String(version),
      }),
      { abortSignal: signal },
    );
    return { version, imageId, description, isDefault: true };
  }

  async terminateInAsg(instanceId: string, region: string, signal: AbortSignal): Promise<void> {
    const { TerminateInstanceInAutoScalingGroupCommand } =
      await import('@aws-sdk/client-auto-scaling');
    const client = await this.autoscaling(region);
    await client.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: instanceId,
        ShouldDecrementDesiredCapacity: false,
      }),
      { abortSignal: signal },
    );
  }

  async describeImages(
    ids: readonly string[],
    region: string,
    signal: AbortSignal,
  ): Promise<ImageInfo[]> {
    if (ids.length === 0) return [];
    const { DescribeImagesCommand } = await import('@aws-sdk/client-ec2');
    const client = await this.ec2(region);
    const r = await client.send(new DescribeImagesCommand({ ImageIds: [...ids] }), {
      abortSignal: signal,
    });
    return (r.Images ?? []).map(imageInfo);
  }

  async imagesForVersion(
    version: string,
    region: string,
    signal: AbortSignal,
  ): Promise<ImageInfo[]> {
    const { DescribeImagesCommand } = await import('@aws-sdk/client-ec2');
    const client = await this.ec2(region);
    const found = new Map<string, ImageInfo>();
    for (const tag of IMAGE_VERSION_TAGS) {
      const r = await client.send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: `tag:${tag}`, Values: [version] }],
        }),
        { abortSignal: signal },
      );
      for (const i of r.Images ?? []) found.set(i.ImageId ?? '', imageInfo(i));
    }
    return [...found.values()].sort((a, b) => b.creationDate.localeCompare(a.creationDate));
  }
}

/** Where an AMI says which Vault it carries: packer's tag, then the sandbox's. */
const IMAGE_VERSION_TAGS = ['vault_version', 'vault-runbook:vault-version'] as const;

function imageInfo(i: {
  ImageId?: string;
  Name?: string;
  CreationDate?: string;
  Tags?: { Key?: string; Value?: string }[];
}): ImageInfo {
  const tags = new Map((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const version = IMAGE_VERSION_TAGS.map((k) => tags.get(k)).find(Boolean);
  return {
    imageId: i.ImageId ?? '',
    name: i.Name ?? '',
    creationDate: i.CreationDate ?? '',
    ...(version ? { vaultVersion: version } : {}),
  };
}

/**
 * The AWS port for a profile with an `aws` section. `credentials` are fixed keys the caller
 * chose (the composition root passes the sandbox's dummy keys for a sandbox profile); without
 * them the standard chain is used.
 */
export function awsFromProfile(
  profile: Profile | undefined,
  credentials?: ClientConfig['credentials'],
): AwsSdk | undefined {
  if (!profile?.aws) return undefined;
  return new AwsSdk(profile.aws.endpoints ?? {}, credentials);
}
