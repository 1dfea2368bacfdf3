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
}

export interface Ec2Instance {
  readonly instanceId: string;
  readonly state: string;
  readonly az: string;
  readonly imageId: string;
  readonly privateIp?: string;
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

export interface AwsPort {
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
  bucketExists(bucket: string, region: string, signal: AbortSignal): Promise<boolean>;
  createBucket(bucket: string, region: string, signal: AbortSignal): Promise<void>;
  /** Deletes every version and delete marker in the bucket, then the bucket. */
  deleteBucket(bucket: string, region: string, signal: AbortSignal): Promise<{ objects: number }>;
}
