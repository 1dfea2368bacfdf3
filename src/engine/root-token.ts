import type { Secret } from '../domain/secret.js';
import { cleanup, cleanupSignal, type CleanupLog } from './cleanup.js';
import { isPermissionDenied, type VaultNode, type VaultPort } from './vault.js';

/**
 * What generate-root, rekey and the share check have in common on top of the typed port: the
 * node that holds attempts, proving a token dead, and checking shares with a throw-away attempt.
 */

/** Revokes a token with itself and proves it: a lookup with it must then be refused (403). Idempotent. */
export async function revokeSelfAndVerify(
  vault: VaultPort,
  node: VaultNode,
  token: Secret,
  signal: AbortSignal,
): Promise<void> {
  try {
    await vault.tokenRevokeSelf(node, token, signal);
  } catch (err) {
    // Already revoked (a retry, or the window revoked it): the lookup below tells.
    if (!isPermissionDenied(err)) throw err;
  }
  try {
    await vault.tokenLookupSelf(node, token, signal);
  } catch (err) {
    if (isPermissionDenied(err)) return;
    throw err;
  }
  throw new Error('the token still works after revoke-self');
}

/** The node these operations go to: the active one (standbys do not hold the attempt). */
export async function activeNode(vault: VaultPort, signal: AbortSignal): Promise<VaultNode> {
  const nodes = vault.nodes();
  const health = await Promise.all(
    nodes.map(async (n) => ({ n, h: await vault.health(n, signal) })),
  );
  const active = health.find((x) => x.h.reachable && x.h.code === 200);
  if (active) return active.n;
  const only = nodes.length === 1 ? health[0] : undefined;
  const why = only?.h.reachable ? `it answers ${only.h.code}` : 'none answers 200';
  throw new Error(
    `no active Vault node (${why}): generate-root and rekey need an unsealed, active cluster`,
  );
}

export type ShareCheck =
  | { readonly result: 'accepted'; readonly detail: string }
  | { readonly result: 'rejected'; readonly detail: string };

/** Vault's answer when the threshold was reached but the shares do not make the key. */
export const WRONG_COMBINATION =
  /root generation aborted|verification failed|authenticate|message authentication failed/i;

/**
 * Proves whether `shares` are live unseal shares without sealing anything: they go to a fresh
 * generate-root attempt. Vault checks only at the threshold, so the last share is accepted
 * (a root token is made, decoded with the OTP, revoked and proved dead) or the attempt is
 * aborted. An attempt left behind is cancelled, and the log says whether that worked.
 */
export async function checkShares(
  vault: VaultPort,
  node: VaultNode,
  shares: readonly Secret[],
  signal: AbortSignal,
  log: CleanupLog,
): Promise<ShareCheck> {
  const existing = await vault.generateRootStatus(node, signal);
  if (existing.started)
    throw new Error(
      `a generate-root attempt is in progress (nonce ${existing.nonce}, ${existing.progress}/${existing.required}): cancel it first`,
    );
  const { status, otp } = await vault.generateRootStart(node, { kind: 'otp' }, signal);
  let finished = false;
  try {
    for (const [i, share] of shares.entries()) {
      let s: Awaited<ReturnType<VaultPort['generateRootUpdate']>>;
      try {
        s = await vault.generateRootUpdate(node, share, status.nonce, otp, signal);
      } catch (err) {
        if (err instanceof Error && WRONG_COMBINATION.test(err.message))
          return {
            result: 'rejected',
            detail: `Vault refused the combination at share ${i + 1} of ${status.required}`,
          };
        throw err;
      }
      if ('token' in s && s.token) {
        finished = true;
        await revokeSelfAndVerify(vault, node, s.token, signal);
        return {
          result: 'accepted',
          detail: `${i + 1} share(s) made a root token, which was revoked at once`,
        };
      }
    }
    throw new Error(
      `${shares.length} share(s) given, ${status.required} needed to check the combination`,
    );
  } finally {
    if (!finished)
      await cleanup(
        {
          what: `cancelling the share-check attempt ${status.nonce}`,
          done: `share-check attempt ${status.nonce} cancelled`,
          byHand: `cancel it by hand: vault operator generate-root -cancel (address ${node.address})`,
          run: () => vault.generateRootCancel(node, cleanupSignal()),
        },
        log,
      );
  }
}
