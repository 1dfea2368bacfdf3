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

export interface AwsPort extends Partial<AwsUpgradePort> {
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
