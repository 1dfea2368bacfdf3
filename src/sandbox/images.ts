import { CreateTagsCommand, RegisterImageCommand } from '@aws-sdk/client-ec2';
import { ExitCode, VrError } from '../domain/errors.js';
import type { RegionClients } from './clients.js';

/** The tag that says which Vault version an AMI stands for (the sandbox's "image"). */
export const VERSION_TAG = 'vault-runbook:vault-version';

/**
 * The sandbox's image build: an AMI registered in moto, tagged with the Vault version it
 * stands for. Instances launched from it run that version's binary (the reconciler reads the
 * tag). `name` must be unique per region, as an AMI name is in AWS.
 */
export async function registerImage(
  rc: RegionClients,
  version: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  const opts = { abortSignal: signal };
  const img = await rc.ec2.send(
    new RegisterImageCommand({
      Name: name,
      Description: `vault-runbook sandbox image: Vault ${version}`,
    }),
    opts,
  );
  const id = img.ImageId ?? '';
  if (!id) throw new VrError('moto registered no image id', ExitCode.stepFailed);
  await rc.ec2.send(
    new CreateTagsCommand({ Resources: [id], Tags: [{ Key: VERSION_TAG, Value: version }] }),
    opts,
  );
  return id;
}

/** A fresh AMI name for a build of `version`, like packer's `{{timestamp}}` suffix. */
export function buildName(version: string, now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `vault-sandbox-${version}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
