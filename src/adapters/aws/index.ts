import type { Profile } from '../../domain/schema.js';
import type {
  AsgDescription,
  AwsPort,
  AwsUpgradePort,
  DnsChange,
  DnsRecord,
  Ec2Instance,
  FailoverAwsPort,
  HaLock,
  ImageInfo,
  LaunchTemplateInfo,
  LaunchTemplateVersion,
  ObjectListing,
  ObjectVersion,
  ReplicationLink,
} from '../../engine/aws.js';
import * as asg from './asg.js';
import { AwsClients, type AwsTimeouts, type Credentials } from './clients.js';
import * as ddb from './dynamodb.js';
import * as ec2 from './ec2.js';
import * as route53 from './route53.js';
import * as s3 from './s3.js';

/**
 * Where primary → DR replication is read and resumed when S3's own replication API is not the
 * truth (the sandbox's supervisor emulates CRR). The composition root chooses it; the adapter
 * does not know the sandbox.
 */
export interface ReplicationControl {
  link(signal: AbortSignal): Promise<ReplicationLink>;
  resume(signal: AbortSignal): Promise<string>;
}

export interface AwsOptions {
  /** Fixed keys (the sandbox's dummy keys); without them the standard chain is used. */
  readonly credentials?: Credentials;
  readonly replication?: ReplicationControl;
  /** Deadlines per call; the default is AWS_TIMEOUTS (tests shorten them). */
  readonly timeouts?: AwsTimeouts;
}

/** The AWS port on the SDK v3 clients, one module per service (see ./clients.ts). */
export class AwsSdk implements AwsPort, FailoverAwsPort, AwsUpgradePort {
  readonly #aws: AwsClients;
  readonly #replication: ReplicationControl | undefined;

  constructor(endpoints: Readonly<Record<string, string>> = {}, opts: AwsOptions = {}) {
    this.#aws = new AwsClients(endpoints, opts.credentials, opts.timeouts);
    this.#replication = opts.replication;
  }

  // ── Auto Scaling ──
  describeAsg(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<AsgDescription | undefined> {
    return asg.describeAsg(this.#aws, name, region, signal);
  }
  setAsgCapacity(
    name: string,
    region: string,
    cap: { readonly min: number; readonly desired: number; readonly max: number },
    signal: AbortSignal,
  ): Promise<void> {
    return asg.setAsgCapacity(this.#aws, name, region, cap, signal);
  }
  scaleAsg(
    name: string,
    desired: number,
    region: string,
    signal: AbortSignal,
    min?: number,
  ): Promise<void> {
    return asg.scaleAsg(this.#aws, name, desired, region, signal, min);
  }
  terminateInAsg(instanceId: string, region: string, signal: AbortSignal): Promise<void> {
    return asg.terminateInAsg(this.#aws, instanceId, region, signal);
  }

  // ── EC2 ──
  describeInstances(
    ids: readonly string[],
    region: string,
    signal: AbortSignal,
  ): Promise<Ec2Instance[]> {
    return ec2.describeInstances(this.#aws, ids, region, signal);
  }
  launchTemplate(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<LaunchTemplateInfo | undefined> {
    return ec2.launchTemplate(this.#aws, name, region, signal);
  }
  createLaunchTemplateVersion(
    name: string,
    region: string,
    imageId: string,
    description: string,
    signal: AbortSignal,
  ): Promise<LaunchTemplateVersion> {
    return ec2.createLaunchTemplateVersion(this.#aws, name, region, imageId, description, signal);
  }
  describeImages(
    ids: readonly string[],
    region: string,
    signal: AbortSignal,
  ): Promise<ImageInfo[]> {
    return ec2.describeImages(this.#aws, ids, region, signal);
  }
  imagesForVersion(version: string, region: string, signal: AbortSignal): Promise<ImageInfo[]> {
    return ec2.imagesForVersion(this.#aws, version, region, signal);
  }

  // ── S3 ──
  listObjectVersions(
    bucket: string,
    region: string,
    signal: AbortSignal,
    prefix?: string,
  ): Promise<ObjectVersion[]> {
    return s3.listObjectVersions(this.#aws, bucket, region, signal, prefix);
  }
  eachObjectVersionPage(
    bucket: string,
    region: string,
    signal: AbortSignal,
    onPage: (page: readonly ObjectVersion[]) => Promise<void>,
  ): Promise<void> {
    return s3.eachObjectVersionPage(this.#aws, bucket, region, signal, onPage);
  }
  listObjects(
    bucket: string,
    region: string,
    signal: AbortSignal,
    opts?: { readonly prefix?: string; readonly maxKeys?: number },
  ): Promise<ObjectListing> {
    return s3.listObjects(this.#aws, bucket, region, signal, opts);
  }
  getObject(
    bucket: string,
    region: string,
    key: string,
    versionId: string,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    return s3.getObject(this.#aws, bucket, region, key, versionId, signal);
  }
  putObject(
    bucket: string,
    region: string,
    key: string,
    body: Uint8Array,
    signal: AbortSignal,
  ): Promise<string> {
    return s3.putObject(this.#aws, bucket, region, key, body, signal);
  }
  deleteObject(bucket: string, region: string, key: string, signal: AbortSignal): Promise<string> {
    return s3.deleteObject(this.#aws, bucket, region, key, signal);
  }
  replicationLink(bucket: string, region: string, signal: AbortSignal): Promise<ReplicationLink> {
    return this.#replication
      ? this.#replication.link(signal)
      : s3.replicationLink(this.#aws, bucket, region, signal);
  }
  resumeReplication(bucket: string, region: string, signal: AbortSignal): Promise<string> {
    return this.#replication
      ? this.#replication.resume(signal)
      : s3.resumeReplication(this.#aws, bucket, region, signal);
  }
  copyObjectVersion(
    from: { readonly bucket: string; readonly key: string; readonly versionId: string },
    to: { readonly bucket: string; readonly key: string },
    region: string,
    signal: AbortSignal,
  ): Promise<{ readonly versionId: string }> {
    return s3.copyObjectVersion(this.#aws, from, to, region, signal);
  }
  bucketExists(
    bucket: string,
    region: string,
    signal: AbortSignal,
    expectedOwner?: string,
  ): Promise<boolean> {
    return s3.bucketExists(this.#aws, bucket, region, signal, expectedOwner);
  }
  createBucket(bucket: string, region: string, signal: AbortSignal): Promise<void> {
    return s3.createBucket(this.#aws, bucket, region, signal);
  }
  deleteBucket(bucket: string, region: string, signal: AbortSignal): Promise<{ objects: number }> {
    return s3.deleteBucket(this.#aws, bucket, region, signal);
  }
  bucketVersioning(bucket: string, region: string, signal: AbortSignal): Promise<string> {
    return s3.bucketVersioning(this.#aws, bucket, region, signal);
  }

  // ── DynamoDB ──
  describeTable(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<{ readonly status: string } | undefined> {
    return ddb.describeTable(this.#aws, name, region, signal);
  }
  readHaLock(table: string, region: string, signal: AbortSignal): Promise<HaLock | undefined> {
    return ddb.readHaLock(this.#aws, table, region, signal);
  }

  // ── Route 53 ──
  dnsRecord(zoneId: string, name: string, signal: AbortSignal): Promise<DnsRecord | undefined> {
    return route53.dnsRecord(this.#aws, zoneId, name, signal);
  }
  dnsUpsert(zoneId: string, record: DnsRecord, signal: AbortSignal): Promise<DnsChange> {
    return route53.dnsUpsert(this.#aws, zoneId, record, signal);
  }
  dnsChange(id: string, signal: AbortSignal): Promise<DnsChange> {
    return route53.dnsChange(this.#aws, id, signal);
  }
}

/**
 * The AWS port for a profile with an `aws` section (none without one: no client is ever made).
 * `opts` are what the composition root decides: fixed keys and the replication control for the
 * sandbox; a real account uses the standard chain and S3's replication API.
 */
export function awsFromProfile(
  profile: Profile | undefined,
  opts: AwsOptions = {},
): AwsSdk | undefined {
  if (!profile?.aws) return undefined;
  return new AwsSdk(profile.aws.endpoints ?? {}, opts);
}
