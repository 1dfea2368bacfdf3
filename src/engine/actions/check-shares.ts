import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import type { Secret } from '../../domain/secret.js';
import { cleanup, cleanupSignal } from '../cleanup.js';
import { activeNode, checkShares, revokeSelfAndVerify, WRONG_COMBINATION } from '../root-token.js';
import type { VaultNode, VaultPort } from '../vault.js';
import { collectShares, offerCancelStale } from './keyholder-shares.js';
import type { ActionContext, ActionDef } from './types.js';
import { requireVault } from './vault.js';

/** After a rekey: the old shares must not combine any more (a cancelled generate-root attempt). */
export async function proveOldDead(
  ctx: ActionContext<unknown>,
  vault: VaultPort,
  node: VaultNode,
  old: readonly Secret[],
): Promise<true> {
  await clearStaleGenerateRoot(ctx, vault, node);
  const check = await checkShares(vault, node, old, ctx.signal, ctx);
  if (check.result === 'accepted')
    throw new Error(
      `the OLD shares still make a root token (${check.detail}): the rekey did not take effect`,
    );
  ctx.log(`old shares are dead: ${check.detail}; the check attempt was cancelled`);
  return true;
}

/** A generate-root attempt nobody here started is shown with its nonce and offered a cancel. */
export async function clearStaleGenerateRoot(
  ctx: ActionContext<unknown>,
  vault: VaultPort,
  node: VaultNode,
): Promise<void> {
  const stale = await vault.generateRootStatus(node, ctx.signal);
  if (stale.started)
    await offerCancelStale(ctx, { operation: 'generate-root', ...stale }, () =>
      vault.generateRootCancel(node, ctx.signal),
    );
}

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
    const { status, otp } = await vault.generateRootStart(node, { kind: 'otp' }, ctx.signal);
    if (otp) ctx.registerSecret(otp);
    let done = false;
    try {
      const { result, entries } = await collectShares<'accepted' | 'rejected'>(ctx, {
        operation: 'generate-root (share check)',
        nonce: status.nonce,
        required: status.required,
        progress: 0,
        which: ctx.input.which ?? 'NEW unseal share',
        submit: async (share, nonce) => {
          try {
            const s = await vault.generateRootUpdate(node, share, nonce, otp, ctx.signal);
            if (!s.complete) return { progress: s.progress };
            done = true;
            const token = 'token' in s ? s.token : undefined;
            if (!token) throw new Error('Vault did not return an OTP-encoded root token');
            ctx.registerSecret(token);
            await revokeSelfAndVerify(vault, node, token, cleanupSignal());
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
      if (!done)
        await cleanup(
          {
            what: `cancelling the share-check attempt ${status.nonce}`,
            done: `share-check attempt ${status.nonce} cancelled`,
            byHand: `cancel it by hand: vault operator generate-root -cancel (on ${node.address})`,
            run: () => vault.generateRootCancel(node, cleanupSignal()),
          },
          ctx,
        );
    }
  },
};
