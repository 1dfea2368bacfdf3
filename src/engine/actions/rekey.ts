import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import { armor, formatFingerprint, parsePublicKey } from '../../domain/pgp.js';
import type { Keyholder } from '../../domain/schema.js';
import type { Secret } from '../../domain/secret.js';
import type { FilesPort } from '../ports.js';
import {
  activeNode,
  cancelGenerateRoot,
  cancelRekey,
  checkShares,
  decodeRootToken,
  generateRootStatus,
  rekeyStatus,
  revokeSelfAndVerify,
  startGenerateRoot,
  startRekey,
  submitGenerateRoot,
  submitRekey,
  WRONG_COMBINATION,
  type RekeyResult,
} from '../root-token.js';
import type { VaultNode, VaultPort } from '../vault.js';
import { fileSafe } from './ceremony.js';
import { collectShares, offerCancelStale } from './keyholder-shares.js';
import type { ActionContext, ActionDef, AnyAction } from './types.js';
import { requireVault } from './vault.js';

const cleanupSignal = (): AbortSignal => AbortSignal.timeout(10_000);

async function clearStaleGenerateRoot(
  ctx: ActionContext<unknown>,
  vault: VaultPort,
  node: VaultNode,
): Promise<void> {
  const stale = await generateRootStatus(vault, node, ctx.signal);
  if (stale.started)
    await offerCancelStale(ctx, { operation: 'generate-root', ...stale }, () =>
      cancelGenerateRoot(vault, node, ctx.signal),
    );
}

const RekeyIn = z.strictObject({
  /** New share count; defaults to the profile's keyholder count (5 without one). */
  shares: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number().int().min(1).max(255).optional(),
  ),
  threshold: z.coerce.number().int().min(1).max(255),
  /** auto: encrypt to the keyholders' PGP keys when every keyholder of the profile has one. */
  pgp: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Where `<keyholder>.share.asc` files go (PGP only). */
  'out-dir': z.string().default('.'),
  /** Prove the old shares no longer combine, through a generate-root attempt that is cancelled. */
  'prove-old-dead': z.boolean().default(true),
});
type RekeyIn = z.infer<typeof RekeyIn>;

interface PgpPlan {
  readonly keyholders: readonly Keyholder[];
  readonly keys: readonly string[];
  readonly fingerprints: readonly string[];
  readonly paths: readonly string[];
}

function requireFiles(ctx: ActionContext<unknown>): FilesPort {
  const f = ctx.ports.files;
  if (!f) throw new Error('this step reads PGP keys and writes share files: no files port');
  return f;
}

async function exists(files: FilesPort, path: string, signal: AbortSignal): Promise<boolean> {
  try {
    await files.read(path, signal);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return false;
    throw err;
  }
}

/** PGP keys in keyholder order, and share files that must not exist yet (checked before Vault). */
async function planPgp(ctx: ActionContext<RekeyIn>, shares: number): Promise<PgpPlan | undefined> {
  const keyholders = ctx.profile?.keyholders ?? [];
  const withKey = keyholders.filter((k) => k.pgp_key);
  const mode = ctx.input.pgp ?? 'auto';
  if (
    mode === 'never' ||
    (mode === 'auto' && (withKey.length === 0 || withKey.length < keyholders.length))
  )
    return undefined;
  if (withKey.length !== keyholders.length || keyholders.length === 0)
    throw new Error(
      `pgp: always needs a pgp_key for every keyholder of the profile (missing: ${
        keyholders
          .filter((k) => !k.pgp_key)
          .map((k) => k.name)
          .join(', ') || 'no keyholders'
      })`,
    );
  if (shares !== keyholders.length)
    throw new Error(
      `${shares} shares for ${keyholders.length} keyholders with PGP keys: Vault encrypts one share per key`,
    );
  const files = requireFiles(ctx);
  const parsed = await Promise.all(
    keyholders.map(async (k) => parsePublicKey(await files.read(k.pgp_key ?? '', ctx.signal))),
  );
  const dir = (ctx.input['out-dir'] ?? '.').replace(/\/+$/, '') || '.';
  const paths = keyholders.map((k) => `${dir}/${fileSafe(k.name)}.share.asc`);
  for (const p of paths)
    if (await exists(files, p, ctx.signal))
      throw new Error(
        `${p} already exists: move it away first (share files are never overwritten)`,
      );
  keyholders.forEach((k, i) =>
    ctx.log(`${k.name}: PGP key ${formatFingerprint(parsed[i]?.fingerprint ?? '')}`),
  );
  return {
    keyholders,
    keys: parsed.map((p) => p.base64),
    fingerprints: parsed.map((p) => p.fingerprint.toLowerCase()),
    paths,
  };
}

/** Writes each encrypted share; one that cannot be written is logged armored, never lost. */
async function writeShares(
  ctx: ActionContext<RekeyIn>,
  plan: PgpPlan,
  result: RekeyResult,
): Promise<string[]> {
  const files = requireFiles(ctx);
  const written: string[] = [];
  for (const [i, k] of plan.keyholders.entries()) {
    const share = result.keys[i];
    const path = plan.paths[i] ?? '';
    if (!share) throw new Error(`Vault returned no share for ${k.name}`);
    const text = armor('MESSAGE', new Uint8Array(Buffer.from(share.reveal(), 'base64')));
    try {
      written.push(await files.writeNew(path, text, cleanupSignal()));
      ctx.log(`${k.name}: new share encrypted to their key, written to ${path}`);
    } catch (err) {
      // Encrypted to the keyholder, so it may travel in the clear; losing it may not happen.
      ctx.log(
        `${k.name}: could not write ${path} (${errorMessage(err)}); their encrypted share:`,
        'stderr',
      );
      for (const l of text.trimEnd().split('\n')) ctx.log(l, 'stderr');
    }
  }
  return written;
}

/**
 * New unseal shares when a keyholder leaves: sys/rekey/init, the old shares entered by the
 * keyholders against the attempt's nonce, the new shares encrypted to each keyholder's PGP key
 * (files `<name>.share.asc`) or handed out by the next step; then the old shares are proved dead.
 */
export const rekeyAction: ActionDef<RekeyIn> = {
  id: 'vault.rekey',
  summary:
    'Rekey the unseal shares: keyholders enter the old shares (nonce shown), new shares go to PGP files or outputs.shares; old shares proved dead',
  input: RekeyIn,
  idempotent: false,
  human: true,
  describe: (i) =>
    `rekey to ${i.shares ?? 'one share per keyholder'}/${i.threshold} (pgp ${i.pgp ?? 'auto'}), then prove the old shares dead`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const node = await activeNode(vault, ctx.signal);
    const n = ctx.input.shares ?? (ctx.profile?.keyholders?.length || 5);
    const t = ctx.input.threshold;
    if (t > n) throw new Error(`threshold ${t} is more than the ${n} shares`);
    if (n > 1 && t < 2)
      throw new Error('a threshold of 1 with several shares lets any one keyholder unseal');
    const plan = await planPgp(ctx, n);
    const stale = await rekeyStatus(vault, node, ctx.signal);
    if (stale.started)
      await offerCancelStale(ctx, { operation: 'rekey', ...stale }, () =>
        cancelRekey(vault, node, ctx.signal),
      );
    const started = await startRekey(
      vault,
      node,
      { shares: n, threshold: t, ...(plan ? { pgpKeys: plan.keys } : {}) },
      ctx.signal,
    );
    ctx.log(
      `rekey attempt started on ${node.name}: nonce ${started.nonce}; new ${t}-of-${n} shares; ${started.required} current share(s) needed`,
    );
    if (plan && started.pgpFingerprints.join() !== plan.fingerprints.join()) {
      await cancelRekey(vault, node, cleanupSignal()).catch(() => undefined);
      throw new Error(
        'Vault reports other PGP fingerprints than the profile keys: rekey cancelled',
      );
    }
    let result: RekeyResult;
    let old: Secret[];
    let entries: number;
    try {
      ({
        result,
        accepted: old,
        entries,
      } = await collectShares<RekeyResult>(ctx, {
        operation: 'rekey',
        nonce: started.nonce,
        required: started.required,
        progress: 0,
        which: 'CURRENT (old) unseal share',
        submit: async (share) => {
          const r = await submitRekey(vault, node, share, started.nonce, ctx.signal);
          return 'keys' in r ? { done: r } : { progress: r.progress };
        },
      }));
    } catch (err) {
      await cancelRekey(vault, node, cleanupSignal()).catch(() => undefined);
      ctx.log(`rekey attempt ${started.nonce} cancelled: ${errorMessage(err)}`, 'stderr');
      throw err;
    }
    result.keys.forEach((k) => ctx.registerSecret(k));
    ctx.log(`rekey complete: ${result.keys.length} new shares, threshold ${t}`);
    const files = plan ? await writeShares(ctx, plan, result) : [];
    let oldRejected = false;
    if (ctx.input['prove-old-dead'] !== false) {
      await clearStaleGenerateRoot(ctx, vault, node);
      const check = await checkShares(vault, node, old, ctx.signal);
      if (check.result === 'accepted')
        throw new Error(
          `the OLD shares still make a root token (${check.detail}): the rekey did not take effect`,
        );
      oldRejected = true;
      ctx.log(`old shares are dead: ${check.detail}; the check attempt was cancelled`);
    }
    return {
      nonce: result.nonce,
      count: n,
      threshold: t,
      pgp: Boolean(plan),
      files,
      fingerprints: result.pgpFingerprints,
      // Plain shares and who gets which, for the hand-out step (human.keyholder-handoff).
      shares: plan ? [] : [...result.keys],
      keyholders: Array.from({ length: n }, (_, i) => ({
        index: i + 1,
        name: ctx.profile?.keyholders?.[i]?.name ?? `keyholder-${i + 1}`,
        ...(plan?.fingerprints[i] ? { fingerprint: plan.fingerprints[i] } : {}),
      })),
      old_shares_rejected: oldRejected,
      entries,
    };
  },
};

const CheckIn = z.strictObject({
  expect: z.enum(['accepted', 'rejected']).default('accepted'),
  which: z.string().default('NEW unseal share'),
});

/**
 * Keyholders enter shares and a generate-root attempt tells whether they combine: "accepted"
 * proves new shares work (and that each keyholder can decrypt theirs); the root token it makes
 * is revoked at once. Nothing is sealed and no attempt is left behind.
 */
export const checkSharesAction: ActionDef<z.input<typeof CheckIn>> = {
  id: 'vault.check-shares',
  summary:
    'Keyholders enter shares (nonce shown); a generate-root attempt proves they combine or not; any token made is revoked',
  input: CheckIn,
  idempotent: true,
  human: true,
  describe: (i) =>
    `prove that the keyholders' ${i.which ?? 'shares'} are ${i.expect ?? 'accepted'}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const node = await activeNode(vault, ctx.signal);
    await clearStaleGenerateRoot(ctx, vault, node);
    const { status, otp } = await startGenerateRoot(vault, node, ctx.signal);
    ctx.registerSecret(otp);
    let done = false;
    try {
      const { result, entries } = await collectShares<'accepted' | 'rejected'>(ctx, {
        operation: 'generate-root (share check)',
        nonce: status.nonce,
        required: status.required,
        progress: 0,
        which: ctx.input.which ?? 'NEW unseal share',
        submit: async (share) => {
          try {
            const s = await submitGenerateRoot(vault, node, share, status.nonce, ctx.signal);
            if (!s.complete || !s.encodedToken) return { progress: s.progress };
            done = true;
            await revokeSelfAndVerify(
              vault,
              node,
              decodeRootToken(s.encodedToken, otp),
              ctx.signal,
            );
            return { done: 'accepted' };
          } catch (err) {
            if (ctx.input.expect === 'rejected' && WRONG_COMBINATION.test(errorMessage(err)))
              return { done: 'rejected' };
            throw err;
          }
        },
      });
      const expected = ctx.input.expect ?? 'accepted';
      if (result !== expected) throw new Error(`the shares were ${result}, expected ${expected}`);
      ctx.log(
        result === 'accepted'
          ? `the ${status.required} shares combine: a root token was made and revoked at once`
          : 'Vault refused the combination, as expected',
      );
      return { result, entries };
    } finally {
      if (!done) await cancelGenerateRoot(vault, node, cleanupSignal()).catch(() => undefined);
    }
  },
};

export const rekeyActions: AnyAction[] = [rekeyAction, checkSharesAction];
