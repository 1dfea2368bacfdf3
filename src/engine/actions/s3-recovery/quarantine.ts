import { z } from 'zod';
import { errorMessage } from '../../../domain/errors.js';
import { sameSecret } from '../../../domain/secret-crypto.js';
import type { ObjectVersion } from '../../aws.js';
import type { KvSecret, VaultNode } from '../../vault.js';
import { operatorToken } from '../../operator-token.js';
import { requireAws } from '../aws.js';
import type { ActionContext, ActionDef, AnyAction } from '../types.js';
import { requireVault } from '../vault.js';
import { dataBucket, liveSession, requireRecovery } from './common.js';
import { quarantineNames } from './names.js';

export { quarantineNames } from './names.js';

const Where = { bucket: z.string().optional(), 'aws-region': z.string().optional() };

/**
 * The account that must own the quarantine bucket: the recovery role's (profile `recovery:`, on
 * AWS). The sandbox's S3 (MinIO) has no accounts, and its profile has no recovery section.
 */
function quarantineOwner(ctx: ActionContext<unknown>): string | undefined {
  return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(ctx.profile?.recovery?.role_arn ?? '')?.[1];
}

async function inBatches<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(fn));
}

const CreateIn = z.strictObject({ key: z.string(), version: z.string(), ...Where });
type CreateIn = z.infer<typeof CreateIn>;

/**
 * A fresh quarantine bucket holding the live bucket's current objects, with the chosen old
 * version of the one key. The live bucket is only read. Re-running fills the same bucket again.
 */
export const quarantineCreateAction: ActionDef<CreateIn> = {
  id: 's3.quarantine-create',
  summary:
    "Copy the data bucket's current objects, with the chosen old version of one key, to a fresh quarantine bucket (the live bucket is only read)",
  input: CreateIn,
  idempotent: true,
  human: false,
  residue: 'creates',
  describe: (i) => `copy the bucket to a quarantine bucket with ${i.key} at version ${i.version}`,
  async run(ctx) {
    requireRecovery(ctx);
    const aws = requireAws(ctx);
    const { bucket, region } = dataBucket(ctx);
    const q = quarantineNames(ctx.runId).bucket;
    if (q === bucket) throw new Error(`the quarantine bucket cannot be the live bucket ${bucket}`);
    if (!(await aws.bucketExists(q, region, ctx.signal, quarantineOwner(ctx)))) {
      await aws.createBucket(q, region, ctx.signal);
      ctx.log(`created quarantine bucket ${q}`);
    } else ctx.log(`quarantine bucket ${q} exists (a resumed run): filling it again`);
    // The chosen version from the key's own history; the rest page by page, never the whole
    // history of the live bucket in memory at once.
    const mine = await aws.listObjectVersions(bucket, region, ctx.signal, ctx.input.key);
    const chosen = mine.find((v) => v.key === ctx.input.key && v.versionId === ctx.input.version);
    if (!chosen || chosen.deleteMarker)
      throw new Error(`${ctx.input.key}: version ${ctx.input.version} is not there to copy`);
    const copy = (v: ObjectVersion) =>
      aws
        .copyObjectVersion(
          { bucket, key: v.key, versionId: v.versionId },
          { bucket: q, key: v.key },
          region,
          ctx.signal,
        )
        .then(() => undefined);
    let objects = 0;
    await aws.eachObjectVersionPage(bucket, region, ctx.signal, async (page) => {
      const current = page.filter((v) => v.isLatest && !v.deleteMarker && v.key !== ctx.input.key);
      await inBatches(current, 8, copy);
      objects += current.length;
    });
    await copy(chosen);
    objects++;
    ctx.log(`${objects} object(s) copied to ${q}; ${ctx.input.key} as of ${chosen.lastModified}`);
    return { bucket: q, objects };
  },
};

const NodeIn = z.strictObject({ bucket: z.string() });
type NodeIn = z.infer<typeof NodeIn>;

/** The isolated recovery node on the quarantine bucket: no HA lock table, never the live one. */
export const recoveryNodeStartAction: ActionDef<NodeIn> = {
  id: 'vault.recovery-node-start',
  summary:
    'Start an isolated recovery Vault on the quarantine bucket (no HA lock table, never the live one, no load balancer)',
  input: NodeIn,
  idempotent: false,
  human: false,
  residue: 'creates',
  describe: (i) => `start an isolated recovery node on s3://${i.bucket}`,
  async run(ctx) {
    const rec = requireRecovery(ctx);
    const name = quarantineNames(ctx.runId).node;
    const n = await rec.start({ name, bucket: ctx.input.bucket, runId: ctx.runId }, ctx.signal);
    ctx.log(
      `recovery node ${n.name} on ${n.address} (${rec.kind}), s3://${n.bucket}, ${n.lockTable ? `own lock table ${n.lockTable}` : 'no HA lock table'}`,
    );
    return { name: n.name, address: n.address };
  },
  async probe(ctx) {
    const name = quarantineNames(ctx.runId).node;
    const n = (await requireRecovery(ctx).list(ctx.signal)).find((x) => x.name === name);
    return n
      ? {
          tookEffect: true,
          outputs: { name: n.name, address: n.address },
          detail: `recovery node ${name} runs`,
        }
      : { tookEffect: false, detail: `no recovery node ${name}` };
  },
};

const UnsealIn = z.strictObject({
  name: z.string(),
  address: z.string(),
  timeout: z.number().default(60),
});
type UnsealIn = z.input<typeof UnsealIn>;

const nodeOf = (i: { name: string; address: string }): VaultNode => ({
  name: `recovery node ${i.name}`,
  address: i.address,
});

async function untilActive(ctx: ActionContext<UnsealIn>, node: VaultNode): Promise<void> {
  const vault = requireVault(ctx);
  const end = ctx.ports.clock.now().getTime() + (ctx.input.timeout ?? 60) * 1000;
  for (;;) {
    const h = await vault.health(node, ctx.signal);
    if (h.reachable && h.code === 200) return;
    if (ctx.ports.clock.now().getTime() > end)
      throw new Error(`${node.name} did not become active (${h.reachable ? h.code : h.error})`);
    await ctx.ports.clock.sleep(500, ctx.signal);
  }
}

/** Keyholders unseal the recovery node (it holds the same keyring as the live cluster). */
export const recoveryUnsealAction: ActionDef<UnsealIn> = {
  id: 'human.unseal-recovery-node',
  summary: 'Keyholders enter their unseal shares for the isolated recovery node',
  input: UnsealIn,
  idempotent: true,
  human: true,
  describe: (i) => `keyholders unseal recovery node ${i.name}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const node = nodeOf(ctx.input);
    let s = await vault.sealStatus(node, ctx.signal);
    let entered = 0;
    while (s.sealed) {
      const a = await ctx.ask({
        type: 'secret',
        label: 'unseal share',
        message: `Keyholder: your unseal share for the isolated ${node.name} (quarantine copy, never serving production). ${s.progress}/${s.t} entered.`,
      });
      ctx.registerSecret(a.value);
      s = await vault.unseal(node, a.value, ctx.signal);
      entered++;
      ctx.log(`${node.name}: ${s.sealed ? `sealed ${s.progress}/${s.t}` : 'unsealed'}`);
    }
    await untilActive(ctx, node);
    ctx.log(`${node.name} is unsealed and active`);
    return { entered };
  },
};

const CopyBackIn = z.strictObject({
  name: z.string(),
  address: z.string(),
  mount: z.string(),
  path: z.string(),
});
type CopyBackIn = z.infer<typeof CopyBackIn>;

function changedKeys(from: KvSecret | undefined, to: KvSecret): string[] {
  const keys = new Set([...Object.keys(from?.data ?? {}), ...Object.keys(to.data)]);
  return [...keys]
    .filter((k) => {
      const a = from?.data[k];
      const b = to.data[k];
      return !a || !b || !sameSecret(a, b);
    })
    .sort();
}

async function readBoth(ctx: ActionContext<CopyBackIn>) {
  const live = await liveSession(ctx, 'reading and writing the live secret');
  const rnode = nodeOf(ctx.input);
  const at = { mount: ctx.input.mount, path: ctx.input.path, kv: 1 as const };
  // The quarantine is a copy of the same storage: the operator's token is valid there too.
  // Not confirmed: the journal's hash goes to the live cluster's audit log, and this node is
  // destroyed before the run ends.
  const { token: rtoken } = await operatorToken(ctx, rnode, 'reading the quarantine copy', {
    confirm: false,
  });
  const old = await live.vault.kvRead(rnode, rtoken, at, ctx.signal);
  if (!old) throw new Error(`${at.mount}/${at.path}: nothing at that version on ${rnode.name}`);
  const now = await live.vault.kvRead(live.node, live.token, at, ctx.signal);
  return { live, at, old, now };
}

/** Reads the old value on the recovery node and writes it to the live cluster as a new write. */
export const quarantineCopyBackAction: ActionDef<CopyBackIn> = {
  id: 'vault.quarantine-copy-back',
  summary:
    'Read the secret on the recovery node and write it to the live cluster as a new write; show which keys changed (never values)',
  input: CopyBackIn,
  idempotent: false,
  human: false,
  describe: (i) => `write ${i.mount}/${i.path} from the recovery node to the live cluster`,
  async run(ctx) {
    const { live, at, old, now } = await readBoth(ctx);
    const changed = changedKeys(now, old);
    ctx.log(
      now
        ? `live ${at.mount}/${at.path}: keys that change: ${changed.join(', ') || 'none'} (keys ${Object.keys(old.data).sort().join(', ')})`
        : `live ${at.mount}/${at.path} is deleted: it comes back with keys ${Object.keys(old.data).sort().join(', ')}`,
    );
    await live.vault.kvWrite(live.node, live.token, at, old.data, ctx.signal);
    ctx.log(`written to the live cluster through ${live.node.name}`);
    return { changed, restored: !now };
  },
  async probe(ctx) {
    const { old, now } = await readBoth(ctx);
    const same = now !== undefined && changedKeys(now, old).length === 0;
    return same
      ? {
          tookEffect: true,
          outputs: { changed: [], restored: false },
          detail: 'live already holds the old value',
        }
      : { tookEffect: false, detail: 'live differs from the quarantine copy' };
  },
};

const DestroyIn = z.strictObject({ ...Where });
type DestroyIn = z.infer<typeof DestroyIn>;

/** Destroys the quarantine (node, its lock table, bucket) and proves each is gone. */
export const quarantineDestroyAction: ActionDef<DestroyIn> = {
  id: 's3.quarantine-destroy',
  summary:
    'Destroy the quarantine: the recovery node (and any lock table made for it) and the quarantine bucket, then prove they are gone',
  input: DestroyIn,
  idempotent: true,
  human: false,
  residue: 'removes',
  describe: () => 'destroy the recovery node and the quarantine bucket and check they are gone',
  async run(ctx) {
    const rec = requireRecovery(ctx);
    const aws = requireAws(ctx);
    const { region, bucket: live } = dataBucket(ctx);
    const names = quarantineNames(ctx.runId);
    const problems: string[] = [];
    try {
      const r = await rec.destroy(names.node, ctx.signal);
      ctx.log(
        r.stopped
          ? `recovery node ${names.node} stopped${r.lockTableDeleted ? `; lock table ${r.lockTableDeleted} deleted` : ' (it had no lock table)'}${r.detail ? `: ${r.detail}` : ''}`
          : `recovery node ${names.node} was not running${r.detail ? ` (${r.detail})` : ''}`,
      );
    } catch (err) {
      problems.push(`recovery node ${names.node}: ${errorMessage(err)}`);
    }
    if (names.bucket === live) throw new Error('refusing to delete the live bucket');
    try {
      if (await aws.bucketExists(names.bucket, region, ctx.signal, quarantineOwner(ctx))) {
        const r = await aws.deleteBucket(names.bucket, region, ctx.signal);
        ctx.log(`quarantine bucket ${names.bucket} deleted (${r.objects} object version(s))`);
      } else ctx.log(`quarantine bucket ${names.bucket} was not there`);
    } catch (err) {
      problems.push(`bucket ${names.bucket}: ${errorMessage(err)}`);
    }
    // The proof, read back: not what the calls above said.
    const nodeLeft = (await rec.list(ctx.signal)).some((n) => n.name === names.node);
    const bucketLeft = await aws.bucketExists(
      names.bucket,
      region,
      ctx.signal,
      quarantineOwner(ctx),
    );
    if (nodeLeft) problems.push(`recovery node ${names.node} still runs`);
    if (bucketLeft) problems.push(`bucket ${names.bucket} still exists`);
    if (problems.length > 0)
      throw new Error(`the quarantine is NOT fully destroyed: ${problems.join('; ')}`);
    ctx.log(`checked: no recovery node ${names.node}, no bucket ${names.bucket}, no lock table`);
    return { node: names.node, bucket: names.bucket, gone: true };
  },
};

export const quarantineActions: readonly AnyAction[] = [
  quarantineCreateAction,
  recoveryNodeStartAction,
  recoveryUnsealAction,
  quarantineCopyBackAction,
  quarantineDestroyAction,
];
