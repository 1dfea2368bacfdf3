import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import { formatFingerprint, parsePublicKey } from '../../domain/pgp.js';
import { armorEncryptedShare } from '../../domain/secret-crypto.js';
import type { Keyholder } from '../../domain/schema.js';
import type { Secret } from '../../domain/secret.js';
import type { FilesPort } from '../ports.js';
import { cleanup, cleanupSignal } from '../cleanup.js';
import { activeNode } from '../root-token.js';
import type { RekeyResult } from '../vault.js';
import { fileSafe } from './ceremony.js';
import { checkSharesAction, proveOldDead } from './check-shares.js';
import { collectShares, failedOver, offerCancelStale } from './keyholder-shares.js';
import { rekeyVerifyAction } from './rekey-verify.js';
import type { ActionContext, ActionDef, AnyAction } from './types.js';
import { requireVault } from './vault.js';

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
  /**
   * Vault keeps the old shares valid until a threshold of the NEW ones is entered again
   * (vault.rekey-verify): a share lost in the hand-out can then never lock the cluster out.
   */
  'require-verification': z.boolean().default(false),
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
    keyholders.map(async (k) => {
      const key = await files.read(k.pgp_key ?? '', ctx.signal).then(parsePublicKey, (err) => {
        throw new Error(`${k.name}'s PGP key ${k.pgp_key ?? ''}: ${errorMessage(err)}`);
      });
      // Vault would refuse it only at the last old share; say so before anyone types one.
      if (!key.canEncrypt)
        throw new Error(
          `${k.name}'s PGP key ${key.fingerprint} cannot encrypt (no encryption subkey): add one (gpg --quick-add-key ${key.fingerprint} rsa4096 encr) and export it again`,
        );
      return key;
    }),
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
    const text = armorEncryptedShare(share);
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
    let node = await activeNode(vault, ctx.signal);
    const n = ctx.input.shares ?? (ctx.profile?.keyholders?.length || 5);
    const t = ctx.input.threshold;
    if (t > n) throw new Error(`threshold ${t} is more than the ${n} shares`);
    if (n > 1 && t < 2)
      throw new Error('a threshold of 1 with several shares lets any one keyholder unseal');
    const plan = await planPgp(ctx, n);
    const stale = await vault.rekeyStatus(node, ctx.signal);
    if (stale.started)
      await offerCancelStale(
        ctx,
        {
          ...stale,
          // New shares already made and handed out by someone, waiting for their re-entry.
          operation: stale.verificationNonce ? 'rekey (awaiting verification)' : 'rekey',
          nonce: stale.verificationNonce
            ? `${stale.nonce}, verification nonce ${stale.verificationNonce}`
            : stale.nonce,
        },
        () => vault.rekeyCancel(node, ctx.signal),
      );
    let result: RekeyResult | undefined;
    let old: Secret[] = [];
    let entries = 0;
    // A rekey attempt lives in the active node's memory: a seal, restart or step-down of that
    // node ends it (the old shares stay valid). Start again on the node that is active now.
    for (let attempt = 1; !result; attempt++) {
      const started = await vault.rekeyStart(
        node,
        {
          shares: n,
          threshold: t,
          ...(plan ? { pgpKeys: plan.keys } : {}),
          ...(ctx.input['require-verification'] ? { requireVerification: true } : {}),
        },
        ctx.signal,
      );
      ctx.log(
        `rekey attempt started on ${node.name}: nonce ${started.nonce}; new ${t}-of-${n} shares; ${started.required} current share(s) needed`,
      );
      if (plan && started.pgpFingerprints.join() !== plan.fingerprints.join()) {
        const c = await cleanup(
          {
            what: `cancelling rekey attempt ${started.nonce}`,
            done: `rekey attempt ${started.nonce} cancelled`,
            byHand: `cancel it by hand: vault operator rekey -cancel (on ${node.address})`,
            run: () => vault.rekeyCancel(node, cleanupSignal()),
          },
          ctx,
        );
        throw new Error(
          `Vault reports other PGP fingerprints than the profile keys: ${c.ok ? 'rekey cancelled' : c.message}`,
        );
      }
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
          submit: async (share, nonce) => {
            const r = await vault.rekeyUpdate(node, share, nonce, ctx.signal);
            return 'keys' in r ? { done: r } : { progress: r.progress };
          },
        }));
      } catch (err) {
        const next = ctx.signal.aborted ? undefined : await failedOver(ctx, vault, node);
        if (next && attempt < 3) {
          ctx.log(
            `every keyholder enters their current share again: ${node.name} is no longer the active node, and rekey attempt ${started.nonce} ended with it (${errorMessage(err)})`,
            'stderr',
          );
          node = next;
          continue;
        }
        await cleanup(
          {
            what: `cancelling rekey attempt ${started.nonce} (${errorMessage(err)})`,
            done: `rekey attempt ${started.nonce} cancelled: ${errorMessage(err)}`,
            byHand: `cancel it by hand: vault operator rekey -cancel (on ${node.address}); the old shares stay in force`,
            run: () => vault.rekeyCancel(node, cleanupSignal()),
          },
          ctx,
        );
        throw err;
      }
    }
    result.keys.forEach((k) => ctx.registerSecret(k));
    ctx.log(`rekey complete: ${result.keys.length} new shares, threshold ${t}`);
    const files = plan ? await writeShares(ctx, plan, result) : [];
    const pending = result.verificationNonce;
    if (pending)
      ctx.log(
        `the new shares take effect once ${t} of them are entered again (verification nonce ${pending}); until then the old shares still work`,
      );
    const oldRejected =
      !pending && ctx.input['prove-old-dead'] ? await proveOldDead(ctx, vault, node, old) : false;
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
      verified: !pending,
      verification_nonce: pending ?? '',
      // For vault.rekey-verify to prove them dead once the new shares are in force.
      old_shares: pending ? old : [],
      entries,
    };
  },
};

export const rekeyActions: AnyAction[] = [rekeyAction, rekeyVerifyAction, checkSharesAction];
