// The SDK clients are loaded when first used: importing them costs more than a second of
// start-up, which every command would pay even without an AWS profile.
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ListObjectVersionsCommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { Profile } from '../domain/schema.js';
import { SANDBOX_CREDENTIALS } from '../sandbox/layout.js';
import type {
  AsgDescription,
  AwsPort,
  Ec2Instance,
  ImageInfo,
  LaunchTemplateInfo,
  LaunchTemplateVersion,
  ObjectVersion,
} from '../engine/aws.js';

type Service = 'ec2' | 'autoscaling' | 's3' | 'dynamodb' | 'route53' | 'elbv2';

interface ClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts: number;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Clients per service and region. Credentials come from the standard chain (AWS_PROFILE, env,
 * SSO, instance role); a profile's `endpoints` override where each service is reached (the
 * sandbox points them at moto and MinIO on loopback).
 */
export class AwsSdk implements AwsPort {
  readonly #endpoints: Readonly<Record<string, string>>;
  readonly #clients = new Map<string, Promise<unknown>>();
  readonly #credentials: ClientConfig['credentials'];

  /** `credentials` only for the sandbox's fixed dummy keys; real clusters use the chain. */
  constructor(
    endpoints: Readonly<Record<string, string>> = {},
    credentials?: ClientConfig['credentials'],
  ) {
    this.#endpoints = endpoints;
    this.#credentials = credentials;
  }

  #config(service: Service, region: string): ClientConfig {
    const endpoint = this.#endpoints[service];
    return {
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(service === 's3' && endpoint ? { forcePathStyle: true } : {}),
      maxAttempts: 2,
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

export function awsFromProfile(profile: Profile | undefined): AwsSdk | undefined {
  if (!profile?.aws) return undefined;
  // The sandbox's moto and MinIO take its fixed dummy keys; a real account's keys never go there.
  const sandbox = profile.image?.builder === 'sandbox';
  return new AwsSdk(profile.aws.endpoints ?? {}, sandbox ? { ...SANDBOX_CREDENTIALS } : undefined);
}
