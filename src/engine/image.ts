/**
 * Building the Vault image an upgrade rolls out. On AWS packer builds an AMI from the repo's
 * template; on the sandbox an AMI standing for a built Vault version is registered in moto.
 * The engine sees only this port: which builder runs is the composition root's choice.
 */
export interface ImageBuildRequest {
  readonly version: string;
  /** The AWS region the AMI is made in. */
  readonly region: string;
}

export interface BuiltImage {
  readonly imageId: string;
  readonly version: string;
}

export interface ImagePort {
  readonly builder: 'packer' | 'sandbox';
  /** Builds (or registers) the image; every line of the builder's output goes to `onLine`. */
  build(
    req: ImageBuildRequest,
    signal: AbortSignal,
    onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  ): Promise<BuiltImage>;
}
