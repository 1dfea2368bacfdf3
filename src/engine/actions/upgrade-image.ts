import { z } from 'zod';
import { UsageError } from '../../domain/errors.js';
import type { ActionContext, ActionDef } from './types.js';
import { upgradeAws, upgradeTarget } from './upgrade-view.js';

/** The image steps of rolling-upgrade and rollback-upgrade, and the launch template's versions. */

const VERSION = /^\d+\.\d+\.\d+$/;

/** The version the upgrade goes to: `version`, else the AMI's version tag. */
export async function targetVersion(
  ctx: ActionContext<unknown>,
  version: string | undefined,
  ami: string | undefined,
): Promise<{ version: string; ami?: string }> {
  if (version) {
    if (!VERSION.test(version))
      throw new UsageError(`'${version}' is not a Vault version (like 1.14.8)`);
    return { version, ...(ami ? { ami } : {}) };
  }
  if (!ami) throw new UsageError('give the target: --var vault_version=X.Y.Z or --var ami=ami-…');
  const { region } = upgradeTarget(ctx);
  const [img] = await upgradeAws(ctx).describeImages([ami], region, ctx.signal);
  if (!img) throw new UsageError(`AMI ${ami} not found in ${region}`);
  if (!img.vaultVersion)
    throw new UsageError(`AMI ${ami} carries no vault_version tag: give --var vault_version too`);
  return { version: img.vaultVersion, ami };
}

const BuildInput = z.strictObject({
  version: z.string().optional(),
  /** A ready AMI: no build, only checked to exist. */
  ami: z.string().optional(),
});
type BuildInput = z.infer<typeof BuildInput>;

export const imageBuildAction: ActionDef<BuildInput> = {
  id: 'image.build',
  summary:
    'Build the Vault image (packer on AWS, streamed; the sandbox registers an AMI in moto), or check a given AMI',
  input: BuildInput,
  idempotent: false,
  human: false,
  describe: (i) =>
    i.ami
      ? `use AMI ${i.ami}`
      : `build the Vault ${i.version ?? '?'} image with the profile's builder`,
  async probe(ctx) {
    if (ctx.input.ami) return { tookEffect: false, detail: 'an AMI was given: checked again' };
    const v = ctx.input.version ?? '';
    const [img] = await upgradeAws(ctx).imagesForVersion(v, upgradeTarget(ctx).region, ctx.signal);
    return img
      ? {
          tookEffect: true,
          outputs: { ami: img.imageId, version: v, built: true },
          detail: `${img.imageId} (${img.name}) already stands for Vault ${v}: not built again`,
        }
      : { tookEffect: false, detail: `no image for Vault ${v} yet` };
  },
  async run(ctx) {
    const t = await targetVersion(ctx, ctx.input.version || undefined, ctx.input.ami || undefined);
    const { region } = upgradeTarget(ctx);
    if (t.ami) {
      ctx.log(`using ${t.ami} (Vault ${t.version}): no build`);
      return { ami: t.ami, version: t.version, built: false };
    }
    const image = ctx.ports.image;
    if (!image)
      throw new UsageError('the profile has no `image` section: give --var ami=ami-… instead');
    ctx.log(`building the Vault ${t.version} image with ${image.builder} in ${region}`);
    const built = await image.build({ version: t.version, region }, ctx.signal, (line, stream) =>
      ctx.log(line, stream),
    );
    ctx.log(`built ${built.imageId} (Vault ${built.version})`);
    return { ami: built.imageId, version: built.version, built: true };
  },
};

const LtInput = z.strictObject({ ami: z.string().min(1), description: z.string().optional() });
type LtInput = z.infer<typeof LtInput>;

function ltName(ctx: ActionContext<unknown>): string {
  const n = upgradeTarget(ctx).launchTemplate;
  if (!n) throw new UsageError('this step needs aws.launch_template in the profile');
  return n;
}

export const launchTemplateVersionAction: ActionDef<LtInput> = {
  id: 'aws.launch-template-version',
  summary:
    'A new launch-template version on this AMI, made the default (instances the ASG launches from now on use it)',
  input: LtInput,
  idempotent: true,
  human: false,
  describe: (i) => `create a launch-template version on ${i.ami}`,
  async probe(ctx) {
    const lt = await upgradeAws(ctx).launchTemplate(
      ltName(ctx),
      upgradeTarget(ctx).region,
      ctx.signal,
    );
    return lt?.latest.imageId === ctx.input.ami
      ? {
          tookEffect: true,
          outputs: {
            version: lt.latest.version,
            previous: lt.versions[1]?.version ?? 0,
            created: false,
          },
          detail: `version ${lt.latest.version} is already on ${ctx.input.ami}`,
        }
      : { tookEffect: false, detail: `the latest version is on ${lt?.latest.imageId ?? '?'}` };
  },
  async run(ctx) {
    const aws = upgradeAws(ctx);
    const name = ltName(ctx);
    const { region } = upgradeTarget(ctx);
    const lt = await aws.launchTemplate(name, region, ctx.signal);
    if (!lt) throw new Error(`launch template '${name}' not found in ${region}`);
    if (lt.latest.imageId === ctx.input.ami) {
      ctx.log(`${name} v${lt.latest.version} is already on ${ctx.input.ami}: nothing to do`);
      return { version: lt.latest.version, previous: lt.versions[1]?.version ?? 0, created: false };
    }
    const v = await aws.createLaunchTemplateVersion(
      name,
      region,
      ctx.input.ami,
      ctx.input.description ?? `vault-runbook ${ctx.runId}`,
      ctx.signal,
    );
    ctx.log(
      `${name}: v${lt.latest.version} (${lt.latest.imageId}) → v${v.version} (${ctx.input.ami}), now the default`,
    );
    return { version: v.version, previous: lt.latest.version, created: true };
  },
};

export const previousImageAction: ActionDef<Record<string, never>> = {
  id: 'aws.launch-template-previous',
  summary:
    'The image a rollback returns to: the newest launch-template version on another AMI than the latest, and the Vault version it carries',
  input: z.strictObject({}),
  idempotent: true,
  human: false,
  describe: () => 'find the launch-template version before the current image',
  async run(ctx) {
    const aws = upgradeAws(ctx);
    const { region } = upgradeTarget(ctx);
    const name = ltName(ctx);
    const lt = await aws.launchTemplate(name, region, ctx.signal);
    if (!lt) throw new Error(`launch template '${name}' not found in ${region}`);
    const prev = lt.versions.find((v) => v.imageId !== lt.latest.imageId);
    if (!prev)
      throw new Error(`${name} has no earlier version on another image: nothing to roll back to`);
    const [img] = await aws.describeImages([prev.imageId], region, ctx.signal);
    if (!img?.vaultVersion)
      throw new Error(`${prev.imageId} (v${prev.version}) carries no vault_version tag`);
    const [cur] = await aws.describeImages([lt.latest.imageId], region, ctx.signal);
    ctx.log(
      `${name}: latest v${lt.latest.version} on ${lt.latest.imageId} (Vault ${cur?.vaultVersion ?? '?'}); back to ${prev.imageId} (v${prev.version}, Vault ${img.vaultVersion})`,
    );
    return {
      ami: prev.imageId,
      version: img.vaultVersion,
      from_version: cur?.vaultVersion ?? '',
      template_version: prev.version,
    };
  },
};
