import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import { isSecret, type Secret } from '../../domain/secret.js';
import { cleanup, cleanupSignal } from '../cleanup.js';
import { activeNode } from '../root-token.js';
import { VaultApiError, type VaultNode, type VaultPort } from '../vault.js';
import { proveOldDead } from './check-shares.js';
import { collectShares } from './keyholder-shares.js';
import type { ActionDef } from './types.js';
import { requireVault } from './vault.js';

const Old = z.array(
  z.custom<Secret>(
    isSecret,
    'the old shares were held only in the memory of the run that rekeyed, and that process is gone: give prove-old-dead: false, or run the rekey runbook again',
  ),
);

const Input = z.strictObject({
  /** The old shares from vault.rekey (outputs.old_shares), to prove them dead afterwards. */
  old: Old.default([]),
});

/**
 * The second half of a rekey with require-verification: keyholders enter a threshold of their
 * NEW shares against the verification nonce, and only then does Vault switch to them. If they
 * cannot, the whole rekey is cancelled and the old shares simply stay in force.
 */
export const rekeyVerifyAction: ActionDef<z.input<typeof Input>> = {
  id: 'vault.rekey-verify',
  summary:
    'Keyholders enter their NEW shares (verification nonce shown) so the rekey takes effect; then the old shares are proved dead',
  input: Input,
  idempotent: false,
  human: true,
  describe: () =>
    'ask keyholders for their new shares to complete the rekey verification, then prove the old shares dead',
  async run(ctx) {
    const vault = requireVault(ctx);
    const node = await activeNode(vault, ctx.signal);
    const status = await vault.rekeyVerifyStatus(node, ctx.signal).catch((err: unknown) => {
      throw new Error(`no rekey waits for verification (${errorMessage(err)})`);
    });
    ctx.log(
      `rekey verification on ${node.name}: nonce ${status.nonce}, ${status.t} new share(s) needed`,
    );
    try {
      const { entries } = await collectShares<true>(ctx, {
        operation: 'rekey verification',
        nonce: status.nonce,
        required: status.t,
        progress: status.progress,
        which: 'NEW unseal share',
        submit: async (share, nonce) => {
          const r = await vault.rekeyVerifyUpdate(node, share, nonce, ctx.signal);
          return r.complete ? { done: true } : { progress: r.progress };
        },
        refresh: async () => {
          const s = await vault.rekeyVerifyStatus(node, ctx.signal);
          return { nonce: s.nonce, progress: s.progress };
        },
      });
      ctx.log('verification complete: the new shares are in force');
      const old = ctx.input.old ?? [];
      const oldRejected = old.length > 0 ? await proveOldDead(ctx, vault, node, old) : false;
      return { verified: true, old_shares_rejected: oldRejected, entries };
    } catch (err) {
      const pending = await stillPending(vault, node);
      if (pending !== false)
        await cleanup(
          {
            what: `cancelling the rekey that waits for verification (${errorMessage(err)})`,
            done: `the rekey was cancelled (${errorMessage(err)}): the OLD shares stay in force; the new ones are void`,
            byHand: `cancel it by hand: vault operator rekey -cancel (on ${node.address}); until then the old shares stay in force and the new ones wait for verification`,
            run: () => vault.rekeyCancel(node, cleanupSignal()),
          },
          ctx,
        );
      throw err;
    }
  },
};

/**
 * Whether a rekey still waits for verification: Vault answers sys/rekey/verify with 400 once none
 * does. `undefined` when the node could not say (then cancelling is still the safe move).
 */
async function stillPending(vault: VaultPort, node: VaultNode): Promise<boolean | undefined> {
  try {
    await vault.rekeyVerifyStatus(node, cleanupSignal());
    return true;
  } catch (err) {
    return err instanceof VaultApiError && err.status === 400 ? false : undefined;
  }
}
