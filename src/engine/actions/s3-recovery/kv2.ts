import { z } from 'zod';
import { UsageError } from '../../../domain/errors.js';
import type { AwsPort } from '../../aws.js';
import { isDeleted, kvRollback } from '../../kv.js';
import type { KvMetadata, KvVersionInfo } from '../../vault.js';
import type { ActionDef } from '../types.js';
import { liveSession } from './common.js';

const Kv2In = z.strictObject({
  mount: z.string(),
  path: z.string(),
  /** Where a destroyed version's storage objects may still be (named in the S3 hint). */
  'mount-uuid': z.string().optional(),
  bucket: z.string().optional(),
  'aws-region': z.string().optional(),
});
type Kv2In = z.infer<typeof Kv2In>;

interface Choice {
  readonly value: string;
  readonly label: string;
  readonly description?: string;
}

function state(v: KvVersionInfo, now: Date): string {
  if (v.destroyed) return 'destroyed — cannot be recovered from Vault';
  if (isDeleted(v, now)) return `deleted ${v.deletionTime}`;
  return 'readable';
}

/**
 * What Vault itself can do for this secret, best first: a soft-deleted latest version is
 * undeleted (it becomes current again exactly as it was); an earlier readable version is
 * rolled back to (written again as a new version); an earlier soft-deleted one is undeleted
 * and then rolled back to. A destroyed version has no Vault route: only then is S3 offered.
 */
export function kv2Choices(meta: KvMetadata, now: Date): Choice[] {
  const out: Choice[] = [];
  const current = meta.versions.find((v) => v.version === meta.currentVersion);
  if (current && isDeleted(current, now))
    out.push({
      value: `undelete:${current.version}`,
      label: `Undelete version ${current.version}, the latest (deleted ${current.deletionTime})`,
      description: 'it becomes readable again as it was; no new version is written',
    });
  const earlier = meta.versions
    .filter((v) => v.version !== meta.currentVersion && !v.destroyed)
    .sort((a, b) => b.version - a.version);
  for (const v of earlier)
    out.push(
      isDeleted(v, now)
        ? {
            value: `undelete-rollback:${v.version}`,
            label: `Undelete version ${v.version} (deleted ${v.deletionTime}) and roll back to it`,
            description: 'its data is written again as a new version',
          }
        : {
            value: `rollback:${v.version}`,
            label: `Roll back to version ${v.version} (${v.createdTime})`,
            description: 'its data is written again as a new version (check-and-set)',
          },
    );
  if (meta.versions.some((v) => v.destroyed))
    out.push({
      value: 's3',
      label: 'A destroyed version: recover it from the S3 object history instead',
      description: 'storage level, with downtime; Vault cannot bring a destroyed version back',
    });
  out.push({ value: 'abort', label: 'Stop' });
  return out;
}

/** Keys under the mount's `versions/` whose latest S3 version is a delete marker. */
async function destroyedCandidates(
  aws: AwsPort | undefined,
  input: Kv2In,
  signal: AbortSignal,
): Promise<string> {
  const uuid = input['mount-uuid'];
  if (!uuid) return '';
  const prefix = `logical/${uuid}/versions/`;
  if (!aws || !input.bucket || !input['aws-region'])
    return ` Its objects are under s3://<data bucket>/${prefix}.`;
  const vs = await aws.listObjectVersions(input.bucket, input['aws-region'], signal, prefix);
  const gone = vs.filter((v) => v.isLatest && v.deleteMarker);
  const shown = gone.slice(0, 10).map((v) => `${v.key} (deleted ${v.lastModified})`);
  return gone.length
    ? ` Keys under ${prefix} whose latest version is a delete marker (a destroyed version leaves one): ${shown.join(', ')}${gone.length > shown.length ? `, and ${gone.length - shown.length} more` : ''}.`
    : ` No key under ${prefix} ends in a delete marker: the destroyed data may have been overwritten at storage level too.`;
}

/**
 * KV v2 keeps its own versions (DESIGN §8): undelete and rollback need no downtime and no S3.
 * The operator sees every version (created, deleted, destroyed) and picks what Vault can do;
 * S3 is offered only for a destroyed version, the one case Vault cannot undo.
 */
export const kv2OwnVersionsAction: ActionDef<Kv2In> = {
  id: 'vault.kv2-own-versions',
  summary:
    "KV v2: list the secret's versions from Vault's metadata and undelete or roll back (no downtime, no S3); S3 only for a destroyed version",
  input: Kv2In,
  idempotent: false,
  human: true,
  describe: (i) => `offer Vault's own KV v2 undelete or rollback of ${i.mount}/${i.path}`,
  async run(ctx) {
    const { vault, node, token } = await liveSession(ctx, 'KV v2 metadata');
    const at = { mount: ctx.input.mount, path: ctx.input.path };
    const where = `${at.mount}/${at.path}`;
    const meta = await vault.kvMetadata(node, token, at, ctx.signal);
    if (!meta) throw new Error(`${where}: no such KV v2 secret (no metadata)`);
    const now = ctx.ports.clock.now();
    ctx.log(
      `${where} is KV v2 (current version ${meta.currentVersion}): Vault keeps its own versions, so an undelete or a rollback needs no downtime and no S3 restore`,
    );
    for (const v of [...meta.versions].sort((a, b) => b.version - a.version))
      ctx.log(`  v${v.version}  created ${v.createdTime}  ${state(v, now)}`);
    const options = kv2Choices(meta, now);
    if (options.length === 1)
      throw new Error(
        `${where}: only version ${meta.currentVersion} exists and it is readable: there is nothing earlier in Vault to go back to`,
      );
    const a = await ctx.ask({
      type: 'choose',
      message: `${where} is a KV v2 secret. Vault's own versions apply: undelete or roll back (no downtime, no S3).${options.some((o) => o.value === 's3') ? ' A destroyed version cannot be recovered from Vault; only the S3 object history may still hold it.' : ''}`,
      options,
    });
    if (!options.some((o) => o.value === a.value))
      throw new UsageError(`'${a.value}' is not one of: ${options.map((o) => o.value).join(', ')}`);
    if (a.value === 's3') {
      const hint = await destroyedCandidates(ctx.ports.aws, ctx.input, ctx.signal);
      throw new UsageError(
        `a destroyed KV v2 version cannot be recovered from Vault. At storage level it is two objects with hashed names: the version's data (under logical/<mount-uuid>/versions/) and the secret's metadata (under logical/<mount-uuid>/metadata/, which now says destroyed); both need their pre-destroy versions restored with Vault stopped. Run again once per key with path=<the raw storage key> and mode=in-place.${hint}`,
      );
    }
    if (a.value === 'abort') throw new Error('stopped by the operator: no undelete, no rollback');
    const [, op, n] = /^(undelete|undelete-rollback|rollback):(\d+)$/.exec(a.value) ?? [];
    const version = Number(n);
    if (op === 'undelete' || op === 'undelete-rollback') {
      await vault.kvUndelete(node, token, at, [version], ctx.signal);
      ctx.log(`undeleted version ${version} of ${where}`);
    }
    if (op === 'undelete') {
      const back = await vault.kvRead(node, token, { ...at, kv: 2 }, ctx.signal);
      if (back?.version !== version)
        throw new Error(
          `${where}: after the undelete the latest readable version is ${back?.version ?? 'none'}, not ${version}`,
        );
      ctx.log(`${where} reads again: version ${version} is current`);
      return { undeleted: version, rolledBack: false, version };
    }
    const r = await kvRollback(vault, node, token, at, version, ctx.signal, now);
    ctx.log(`rolled back: version ${r.to}'s data is now version ${r.version} (was ${r.from})`);
    return { rolledBack: true, from: r.from, to: r.to, version: r.version };
  },
  async probe(ctx) {
    // An undelete is safe to repeat, a rollback is not (one more version each time); whether the
    // interrupted step wrote one cannot be told from the metadata alone, so a person looks.
    return Promise.resolve({
      tookEffect: false,
      detail: `check ${ctx.input.mount}/${ctx.input.path}'s versions before rolling back again`,
    });
  },
};
