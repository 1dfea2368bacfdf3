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
}
