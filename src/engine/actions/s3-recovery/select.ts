import { z } from 'zod';
import { UsageError } from '../../../domain/errors.js';
import type { ObjectVersion } from '../../aws.js';
import { requireAws } from '../aws.js';
import type { ActionDef, AnyAction } from '../types.js';
import { dataBucket, liveSession } from './common.js';
import { resolveStorageTarget, versionLabel, versionsOfKey } from './storage.js';

const Where = {
  bucket: z.string().optional(),
  'aws-region': z.string().optional(),
};

const ResolveIn = z.strictObject({ path: z.string().min(1), ...Where });
type ResolveIn = z.infer<typeof ResolveIn>;

/** Finds the S3 key of a secret (through sys/mounts) and lists that key's object versions. */
export const resolveSecretAction: ActionDef<ResolveIn> = {
  id: 's3.resolve-secret',
  summary:
    "Resolve a secret path through sys/mounts to its storage key logical/<mount-uuid>/<path> (or take a raw key) and list the key's S3 object versions",
  input: ResolveIn,
  idempotent: true,
  human: false,
  describe: (i) => `find the storage key of ${i.path} and list its S3 object versions`,
  async run(ctx) {
    const { vault, node, token, source } = await liveSession(ctx, 'reading sys/mounts');
    ctx.log(`operator token from ${source}`);
    const mounts = await vault.mounts(node, token, ctx.signal);
    const t = resolveStorageTarget(ctx.input.path, mounts);
    if ('error' in t) throw new UsageError(t.error);
    const { bucket, region } = dataBucket(ctx);
    if (t.kv === 2) {
      // One secret is several storage objects here; the next step offers Vault's own versions.
      ctx.log(
        `${ctx.input.path} is in the KV v2 mount ${t.mount?.path ?? ''}: Vault keeps its versions`,
      );
      return {
        key: t.key,
        bucket,
        region,
        kv: 2,
        mount: t.mount?.path.replace(/\/$/, '') ?? '',
        mountUuid: t.mount?.uuid ?? '',
        secretPath: t.secretPath ?? '',
        versions: [],
        latestVersionId: '',
        latestDeleted: false,
      };
    }
    const aws = requireAws(ctx);
    const versions = versionsOfKey(
      await aws.listObjectVersions(bucket, region, ctx.signal, t.key),
      t.key,
    );
    ctx.log(
      `${ctx.input.path} → s3://${bucket}/${t.key}${t.mount ? ` (mount ${t.mount.path} ${t.mount.type}${t.kv ? ` v${t.kv}` : ''}, uuid ${t.mount.uuid})` : ' (raw storage key)'}`,
    );
    if (versions.length === 0) throw new Error(`s3://${bucket}/${t.key}: no object versions`);
    for (const v of versions) ctx.log(`  ${versionLabel(v)}`);
    const latest = versions[0] as ObjectVersion;
    if (latest.deleteMarker)
      ctx.log('the latest version is a delete marker: the secret was deleted');
    return {
      key: t.key,
      bucket,
      region,
      kv: t.kv,
      mount: t.mount?.path.replace(/\/$/, '') ?? '',
      mountUuid: t.mount?.uuid ?? '',
      secretPath: t.secretPath ?? '',
      versions: versions.map((v) => ({ ...v })),
      latestVersionId: latest.versionId,
      latestDeleted: latest.deleteMarker,
    };
  },
};

const VersionIn = z.strictObject({
  key: z.string(),
  versions: z.array(z.record(z.string(), z.unknown())),
  /** The S3 version id given up front (--var version=…); empty: ask. */
  version: z.string().default(''),
});
type VersionIn = z.input<typeof VersionIn>;

/** The operator picks the object version to restore from the list (or names it headless). */
export const chooseVersionAction: ActionDef<VersionIn> = {
  id: 's3.choose-version',
  summary:
    'Choose the S3 object version to restore from the listed ones (time, size, delete marker)',
  input: VersionIn,
  idempotent: true,
  human: true,
  describe: (i) => `choose the object version of ${i.key} to restore`,
  async run(ctx) {
    const versions = ctx.input.versions as unknown as ObjectVersion[];
    const restorable = versions.filter((v) => !v.deleteMarker && !v.isLatest);
    if (restorable.length === 0)
      throw new Error(`${ctx.input.key}: no earlier version to restore (only the latest)`);
    let id = ctx.input.version ?? '';
    if (!id) {
      const a = await ctx.ask({
        type: 'choose',
        message: `Which version of ${ctx.input.key} to restore? (newest first; a corrupt or unwanted latest version is the one to skip)`,
        options: restorable.map((v) => ({ value: v.versionId, label: versionLabel(v) })),
      });
      id = a.value;
    }
    const v = versions.find((x) => x.versionId === id);
    if (!v) throw new UsageError(`version '${id}' is not a version of ${ctx.input.key}`);
    if (v.deleteMarker)
      throw new UsageError(`version '${id}' is a delete marker: nothing to restore`);
    if (v.isLatest)
      throw new UsageError(`version '${id}' is the latest already: nothing to restore`);
    ctx.log(`restore ${ctx.input.key} to ${versionLabel(v)}`);
    return {
      versionId: v.versionId,
      etag: v.etag ?? '',
      lastModified: v.lastModified,
      size: v.size,
    };
  },
};

const ModeIn = z.strictObject({ mode: z.string().default(''), quarantine: z.boolean().optional() });
type ModeIn = z.input<typeof ModeIn>;

/** in-place (downtime, the seeds' way) or quarantine (no downtime, needs a recovery node). */
export const chooseModeAction: ActionDef<ModeIn> = {
  id: 's3.choose-mode',
  summary: 'Choose in-place (stop Vault, restore, start: downtime) or quarantine (no downtime)',
  input: ModeIn,
  idempotent: true,
  human: true,
  describe: (i) => `recovery mode ${i.mode || '(asked)'}`,
  async run(ctx) {
    let mode = ctx.input.mode ?? '';
    if (!mode)
      mode = (
        await ctx.ask({
          type: 'choose',
          message: 'How to recover?',
          options: [
            {
              value: 'quarantine',
              label: 'Quarantine: no downtime',
              description:
                'copy the bucket with the old version to a quarantine bucket, read it on an isolated recovery node, write it to the live cluster as a new write',
            },
            {
              value: 'in-place',
              label: 'In place: stop Vault, restore the version, start and unseal',
              description: 'downtime; every keyholder needed to unseal',
            },
          ],
        })
      ).value;
    if (mode !== 'in-place' && mode !== 'quarantine')
      throw new UsageError(`mode must be in-place or quarantine, not '${mode}'`);
    if (mode === 'quarantine' && !ctx.ports.recovery)
      throw new UsageError(
        'quarantine mode needs an isolated recovery node, which this profile cannot start (the sandbox can; on AWS bring one up by hand on a copy of the bucket): use mode=in-place',
      );
    if (mode === 'quarantine' && ctx.input.quarantine === false)
      throw new UsageError(
        'quarantine mode reads the secret back through the KV v1 API: this key is not a KV v1 secret, use mode=in-place',
      );
    return { mode, inPlace: mode === 'in-place', quarantine: mode === 'quarantine' };
  },
};

export const selectActions: readonly AnyAction[] = [
  resolveSecretAction,
  chooseVersionAction,
  chooseModeAction,
];
