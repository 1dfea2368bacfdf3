import { UsageError } from '../domain/errors.js';

/** The AWS calls actions and the status poller make; the adapter uses the SDK v3 clients. */
export interface AsgInstance {
  readonly instanceId: string;
  readonly az: string;
  readonly lifecycleState: string;
  readonly healthStatus: string;
  readonly launchTemplateVersion?: string;
}

export interface AsgDescription {
  readonly name: string;
  readonly desired: number;
  readonly min: number;
  readonly max: number;
  readonly instances: readonly AsgInstance[];
  /** The AZs the group launches into (its subnets'), whether or not an instance is there now. */
  readonly availabilityZones?: readonly string[];
}

export interface Ec2Instance {
  readonly instanceId: string;
  readonly state: string;
  readonly az: string;
  readonly imageId: string;
  readonly privateIp?: string;
  /** ISO time the instance was launched: tells a fresh ASG replacement from an old node. */
  readonly launchTime?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface ObjectVersion {
  readonly key: string;
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly lastModified: string;
  readonly size: number;
  readonly etag?: string;
  readonly deleteMarker: boolean;
}

/** An object's current version, as a plain (unversioned) listing shows it. */
export interface CurrentObject {
  readonly key: string;
  readonly lastModified: string;
  readonly etag?: string;
}

/**
 * Where a listObjects stops: `maxKeys` when given, which must be a whole number ≥ 1 (S3 would
 * answer 0 with an empty, "truncated" page, refuse a negative one, and NaN or 1.5 reach it as
 * text it rejects; a fake would slice quietly instead), else no cap. Every implementation of
 * the port checks it the same way, before any request.
 */
export function listingCap(maxKeys: number | undefined): number {
  if (maxKeys === undefined) return Infinity;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
    throw new UsageError(
      `listObjects: maxKeys must be a whole number of at least 1, or absent for no cap (got ${String(maxKeys)})`,
    );
  return maxKeys;
}

/** Current objects in key order; `truncated` when the listing stopped at `maxKeys` with more left. */
export interface ObjectListing {
  readonly objects: readonly CurrentObject[];
  readonly truncated: boolean;
}

export interface AwsPort extends Partial<FailoverAwsPort>, Partial<AwsUpgradePort> {
  describeAsg(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<AsgDescription | undefined>;
  describeInstances(
    ids: readonly string[],
    region: string,
    signal: AbortSignal,
  ): Promise<Ec2Instance[]>;
  listObjectVersions(
    bucket: string,
    region: string,
    signal: AbortSignal,
    prefix?: string,
  ): Promise<ObjectVersion[]>;
  /**
   * The whole version history one page at a time (S3's 1000), for a bucket too big to hold in
   * memory (the quarantine's copy of the live bucket): `onPage` finishes before the next page.
   */
  eachObjectVersionPage(
    bucket: string,
    region: string,
    signal: AbortSignal,
    onPage: (page: readonly ObjectVersion[]) => Promise<void>,
  ): Promise<void>;
  /**
   * Current objects only (ListObjectsV2), in key order, at most `maxKeys` of them: one page per
   * thousand keys whatever the bucket's version history holds. For what needs only "what is
   * there now" (replication lag); what needs older versions lists versions. A `maxKeys` that is
   * not a whole number ≥ 1 is refused (listingCap) before any request.
   */
  listObjects(
    bucket: string,
    region: string,
    signal: AbortSignal,
    opts?: { readonly prefix?: string; readonly maxKeys?: number },
  ): Promise<ObjectListing>;
  // ── S3 secret recovery (runbooks/s3-secret-recovery.yaml) ──
  /** Sets the group's desired capacity (and lowers its minimum when it is above). */
  scaleAsg(
    name: string,
    desired: number,
    region: string,
    signal: AbortSignal,
    min?: number,
  ): Promise<void>;
  /**
   * Copies one object version on top of `to` (default: the same key of the same bucket): S3
   * keeps the older versions, so a restore adds a version and never rewrites history.
   */
  copyObjectVersion(
    from: { readonly bucket: string; readonly key: string; readonly versionId: string },
    to: { readonly bucket: string; readonly key: string },
    region: string,
    signal: AbortSignal,
  ): Promise<{ readonly versionId: string }>;
  /**
   * Whether the bucket is there. With `expectedOwner` (an account id) a bucket of another
   * account is an error, never `true`: a quarantine must not fill a stranger's bucket that
   * happens to have its name and lets this account in.
   */
  bucketExists(
    bucket: string,
    region: string,
    signal: AbortSignal,
    expectedOwner?: string,
  ): Promise<boolean>;
  createBucket(bucket: string, region: string, signal: AbortSignal): Promise<void>;
  /** Deletes every version and delete marker in the bucket, then the bucket. */
  deleteBucket(bucket: string, region: string, signal: AbortSignal): Promise<{ objects: number }>;
}

// ── region failover / failback (runbooks/region-failover.yaml, region-failback.yaml) ──

/** Vault's DynamoDB HA lock item (physical/dynamodb: Path `core`, Key `lock`). */
export interface HaLock {
  /** The holder's lock identity, base64 (one per Vault core). */
  readonly holder: string;
  /** Unless renewed, in ms since the epoch (Vault writes UnixNano). */
  readonly expiresAt: number;
  /** The holder's address as Vault stored it in Value, when it parses. */
  readonly value?: string;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

export interface DnsChange {
  readonly id: string;
  readonly status: string;
}

/** Whether primary → DR replication runs: `enabled` false names why (paused, no rule…). */
export interface ReplicationLink {
  readonly enabled: boolean;
  readonly detail: string;
}

export interface FailoverAwsPort {
  /** Sets desired (and min/max so desired fits); AWS rejects a desired outside min..max. */
  setAsgCapacity(
    name: string,
    region: string,
    cap: { readonly min: number; readonly desired: number; readonly max: number },
    signal: AbortSignal,
  ): Promise<void>;
  /** undefined when the table does not exist. */
  describeTable(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<{ readonly status: string } | undefined>;
  readHaLock(table: string, region: string, signal: AbortSignal): Promise<HaLock | undefined>;
  getObject(
    bucket: string,
    region: string,
    key: string,
    versionId: string,
    signal: AbortSignal,
  ): Promise<Uint8Array>;
  /** Returns the new version id. */
  putObject(
    bucket: string,
    region: string,
    key: string,
    body: Uint8Array,
    signal: AbortSignal,
  ): Promise<string>;
  /** A versioned bucket keeps the history: this adds a delete marker; returns its version id. */
  deleteObject(bucket: string, region: string, key: string, signal: AbortSignal): Promise<string>;
  dnsRecord(zoneId: string, name: string, signal: AbortSignal): Promise<DnsRecord | undefined>;
  dnsUpsert(zoneId: string, record: DnsRecord, signal: AbortSignal): Promise<DnsChange>;
  dnsChange(id: string, signal: AbortSignal): Promise<DnsChange>;
  replicationLink(bucket: string, region: string, signal: AbortSignal): Promise<ReplicationLink>;
  /** Re-enables the bucket's replication rules (after a failback made both buckets agree). */
  resumeReplication(bucket: string, region: string, signal: AbortSignal): Promise<string>;
}

// ── rolling-upgrade / replace-node / rollback-upgrade ──

export interface LaunchTemplateVersion {
  readonly version: number;
  readonly imageId: string;
  readonly description?: string;
  readonly isDefault: boolean;
}

export interface LaunchTemplateInfo {
  readonly name: string;
  readonly latest: LaunchTemplateVersion;
  /** Newest first; the latest few are enough to find the one a rollback returns to. */
  readonly versions: readonly LaunchTemplateVersion[];
}

export interface ImageInfo {
  readonly imageId: string;
  readonly name: string;
  readonly creationDate: string;
  /** From the image's `vault_version` (packer) or `vault-runbook:vault-version` (sandbox) tag. */
  readonly vaultVersion?: string;
}

export interface AwsUpgradePort {
  /** `Enabled`, `Suspended`, or `Disabled` (never enabled). */
  bucketVersioning(bucket: string, region: string, signal: AbortSignal): Promise<string>;
  launchTemplate(
    name: string,
    region: string,
    signal: AbortSignal,
  ): Promise<LaunchTemplateInfo | undefined>;
  /** A new version on `imageId` (the rest copied from the latest), made the default. */
  createLaunchTemplateVersion(
    name: string,
    region: string,
    imageId: string,
    description: string,
    signal: AbortSignal,
  ): Promise<LaunchTemplateVersion>;
  /** Terminates an instance through its ASG without lowering desired: the ASG launches one. */
  terminateInAsg(instanceId: string, region: string, signal: AbortSignal): Promise<void>;
  describeImages(ids: readonly string[], region: string, signal: AbortSignal): Promise<ImageInfo[]>;
  /** This account's images tagged with that Vault version, newest first. */
  imagesForVersion(version: string, region: string, signal: AbortSignal): Promise<ImageInfo[]>;
}
