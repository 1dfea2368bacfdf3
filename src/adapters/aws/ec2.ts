import type {
  Ec2Instance,
  ImageInfo,
  LaunchTemplateInfo,
  LaunchTemplateVersion,
} from '../../engine/aws.js';
import type { AwsClients } from './clients.js';
import { describeAllInstances, toEc2Instance } from './ec2-pages.js';

/** EC2 takes at most this many values in one filter. */
const FILTER_VALUES_MAX = 200;

// EC2: instances behind the nodes, launch templates and the Vault AMIs (upgrade runbooks).

export async function describeInstances(
  aws: AwsClients,
  ids: readonly string[],
  region: string,
  signal: AbortSignal,
): Promise<Ec2Instance[]> {
  if (ids.length === 0) return [];
  const { sdk, client } = await aws.ec2(region);
  // EC2 is eventually consistent: an instance just launched (an ASG's Pending member) can be
  // unknown to DescribeInstances for a while, and `InstanceIds` would fail the whole call with
  // InvalidInstanceID.NotFound for it. An instance-id filter answers with those that exist.
  const found = [];
  for (let at = 0; at < ids.length; at += FILTER_VALUES_MAX)
    found.push(
      ...(await describeAllInstances(
        client,
        sdk.DescribeInstancesCommand,
        { Filters: [{ Name: 'instance-id', Values: ids.slice(at, at + FILTER_VALUES_MAX) }] },
        signal,
      )),
    );
  return found.map(toEc2Instance);
}

export async function launchTemplate(
  aws: AwsClients,
  name: string,
  region: string,
  signal: AbortSignal,
): Promise<LaunchTemplateInfo | undefined> {
  const { sdk, client } = await aws.ec2(region);
  let r;
  try {
    r = await client.send(
      new sdk.DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: name }),
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

export async function createLaunchTemplateVersion(
  aws: AwsClients,
  name: string,
  region: string,
  imageId: string,
  description: string,
  signal: AbortSignal,
): Promise<LaunchTemplateVersion> {
  const { sdk, client } = await aws.ec2(region);
  const r = await client.send(
    new sdk.CreateLaunchTemplateVersionCommand({
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
    new sdk.ModifyLaunchTemplateCommand({
      LaunchTemplateName: name,
      DefaultVersion: String(version),
    }),
    { abortSignal: signal },
  );
  return { version, imageId, description, isDefault: true };
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

export async function describeImages(
  aws: AwsClients,
  ids: readonly string[],
  region: string,
  signal: AbortSignal,
): Promise<ImageInfo[]> {
  if (ids.length === 0) return [];
  const { sdk, client } = await aws.ec2(region);
  const r = await client.send(new sdk.DescribeImagesCommand({ ImageIds: [...ids] }), {
    abortSignal: signal,
  });
  return (r.Images ?? []).map(imageInfo);
}

export async function imagesForVersion(
  aws: AwsClients,
  version: string,
  region: string,
  signal: AbortSignal,
): Promise<ImageInfo[]> {
  const { sdk, client } = await aws.ec2(region);
  const found = new Map<string, ImageInfo>();
  for (const tag of IMAGE_VERSION_TAGS) {
    const r = await client.send(
      new sdk.DescribeImagesCommand({
        Owners: ['self'],
        Filters: [{ Name: `tag:${tag}`, Values: [version] }],
      }),
      { abortSignal: signal },
    );
    for (const i of r.Images ?? []) found.set(i.ImageId ?? '', imageInfo(i));
  }
  return [...found.values()].sort((a, b) => b.creationDate.localeCompare(a.creationDate));
}
