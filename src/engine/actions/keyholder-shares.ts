import { errorMessage } from '../../domain/errors.js';
import type { Secret } from '../../domain/secret.js';
import { activeNode, WRONG_COMBINATION } from '../root-token.js';
import type { VaultNode, VaultPort } from '../vault.js';
import type { ActionContext } from './types.js';

/** Vault's answers to input it cannot use as a share, as opposed to a wrong combination. */
export const MALFORMED = /hex or base64|invalid key|malformed|illegal base64|encoding/i;
const DUPLICATE = /already been provided/i;
const NONCE = /incorrect nonce|not in progress|no (?:rekey|root generation) in progress/i;

export type SubmitResult<R> = { readonly done: R } | { readonly progress: number };

export interface ShareRound<R> {
  /** "generate-root" or "rekey": what the keyholders contribute to. */
  readonly operation: string;
  readonly nonce: string;
  readonly required: number;
  /** Progress already on the server for this nonce (0 for an attempt started here). */
  readonly progress: number;
  /** Which shares: "current unseal share", "NEW unseal share"… */
  readonly which: string;
  submit(share: Secret, nonce: string): Promise<SubmitResult<R>>;
  /** After a refused combination, for operations that then change their nonce (rekey verify). */
  refresh?(): Promise<{ nonce: string; progress: number }>;
}

/**
 * One masked prompt per keyholder, each carrying the attempt's nonce (Vault issue #844: a
 * keyholder must know which attempt their share goes to). A malformed or repeated share is
 * asked again; a combination Vault refuses at the threshold starts the round over.
 */
export async function collectShares<R>(
  ctx: ActionContext<unknown>,
  round: ShareRound<R>,
): Promise<{ result: R; accepted: Secret[]; entries: number }> {
  const accepted: Secret[] = [];
  let progress = round.progress;
  let nonce = round.nonce;
  let entries = 0;
  let refused = 0;
  const names = ctx.profile?.keyholders?.map((k) => k.name) ?? [];
  for (;;) {
    const i = progress + 1;
    const answer = await ctx.ask({
      type: 'secret',
      label: `${round.operation} share ${i} of ${round.required}`,
      // The nonce on a line of its own: it is what the keyholder compares, and must not wrap.
      message:
        `Keyholder ${i} of ${round.required}${names.length ? ` (${names.join(', ')})` : ''} — ` +
        `${round.operation} attempt, nonce:\n  ${nonce}\n` +
        `Check that this is the nonce the operator announced, then enter your ${round.which}.`,
    });
    entries++;
    const share = answer.value;
    let r: SubmitResult<R>;
    try {
      r = await round.submit(share, nonce);
    } catch (err) {
      const msg = errorMessage(err);
      refused++;
      if (refused >= 10) throw new Error(`ten shares refused: stopping (last: ${msg})`);
      if (!WRONG_COMBINATION.test(msg) && DUPLICATE.test(msg)) {
        ctx.log(
          `that share was already entered for this ${round.operation} attempt: the next keyholder enters theirs`,
          'stderr',
        );
        continue;
      }
      if (!WRONG_COMBINATION.test(msg) && MALFORMED.test(msg)) {
        ctx.log(
          `that share was refused as malformed: enter it again, checking for typos (${msg})`,
          'stderr',
        );
        continue;
      }
      if (WRONG_COMBINATION.test(msg)) {
        // Shamir cannot tell which share was wrong; Vault cleared the progress of this nonce.
        accepted.length = 0;
        progress = 0;
        if (round.refresh) ({ nonce, progress } = await round.refresh());
        ctx.log(
          `the ${round.required} shares did not combine into the key: one of them is wrong. Every keyholder enters their share again (nonce ${nonce})`,
          'stderr',
        );
        continue;
      }
      if (NONCE.test(msg))
        throw new Error(
          `the ${round.operation} attempt changed under us (${msg}): someone cancelled or restarted it`,
        );
      throw err;
    }
    accepted.push(share);
    if ('done' in r) return { result: r.done, accepted, entries };
    progress = r.progress;
    ctx.log(`${round.operation} ${progress}/${round.required} (nonce ${nonce})`);
  }
}

/**
 * An attempt nobody here started: show its nonce and progress and offer to cancel it. Returns
 * when there is no attempt left; throws when the operator wants to find its owner first.
 */
export async function offerCancelStale(
  ctx: ActionContext<unknown>,
  what: { operation: string; nonce: string; progress: number; required: number },
  cancel: () => Promise<void>,
): Promise<void> {
  const detail = `nonce ${what.nonce}, ${what.progress}/${what.required} share(s) entered`;
  const a = await ctx.ask({
    type: 'choose',
    message: `A ${what.operation} attempt is already in progress that nobody started here (${detail}). Someone else may be running it right now — or an old attempt was left behind. Cancel it?`,
    options: [
      {
        value: 'cancel',
        label: `Cancel that ${what.operation} attempt and start a new one`,
        description: `its ${what.progress} share(s) are discarded`,
      },
      { value: 'abort', label: `Stop: find out who started it first` },
    ],
  });
  if (a.value !== 'cancel')
    throw new Error(`stopped: a ${what.operation} attempt is in progress (${detail})`);
  await cancel();
  ctx.log(`${what.operation} attempt ${what.nonce} cancelled`);
}

/**
 * After a failed share: the active node, if `was` is no longer it (waiting up to 30 s for a
 * standby to take over); undefined when `was` is still active (the failure was something else).
 */
export async function failedOver(
  ctx: ActionContext<unknown>,
  vault: VaultPort,
  was: VaultNode,
): Promise<VaultNode | undefined> {
  for (let i = 0; i < 30; i++) {
    // Not a cleanup: no active node during a failover is the normal case, polled again below.
    const now = await activeNode(vault, ctx.signal).catch(() => undefined);
    if (now && now.address === was.address) {
      const h = await vault.health(was, ctx.signal);
      if (h.reachable && h.code === 200) return undefined;
    }
    if (now && now.address !== was.address) return now;
    await ctx.ports.clock.sleep(1000, ctx.signal);
  }
  return undefined;
}
