import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import { isSecret, type Secret } from '../../domain/secret.js';
import { cleanup, cleanupSignal } from '../cleanup.js';
import { activeNode, revokeSelfAndVerify } from '../root-token.js';
import { handOver } from './handoff.js';
import { collectShares, failedOver, offerCancelStale } from './keyholder-shares.js';
import type { ActionContext, ActionDef, AnyAction } from './types.js';
import { requireVault } from './vault.js';

/**
 * On resume the state is rebuilt from the journal, where a token is ‹redacted›: say what that
 * means instead of a schema error.
 */
const Token = z.custom<Secret>(isSecret, {
  message:
    'the root token is not in memory (tokens are never journaled, so an interrupted run loses it): run the runbook again; revoke a lost token by its accessor from the journal',
});

const GenerateIn = z.strictObject({});

export const generateRootAction: ActionDef<z.infer<typeof GenerateIn>> = {
  id: 'vault.generate-root',
  summary:
    'Keyholders make a new root token from unseal shares (OTP attempt, nonce shown to each); outputs.token is a Secret',
  input: GenerateIn,
  idempotent: false,
  human: true,
  describe: () =>
    'start a generate-root attempt with an OTP, ask keyholders for shares (nonce shown), decode the root token',
  async run(ctx) {
    const vault = requireVault(ctx);
    let node = await activeNode(vault, ctx.signal);
    const stale = await vault.generateRootStatus(node, ctx.signal);
    if (stale.started)
      await offerCancelStale(ctx, { operation: 'generate-root', ...stale }, () =>
        vault.generateRootCancel(node, ctx.signal),
      );
    for (let attempt = 1; ; attempt++) {
      const { status, otp } = await vault.generateRootStart(node, { kind: 'otp' }, ctx.signal);
      if (otp) ctx.registerSecret(otp);
      ctx.log(
        `generate-root attempt started on ${node.name}: nonce ${status.nonce}, ${status.required} share(s) needed`,
      );
      let token: Secret | undefined;
      let accessor = '';
      try {
        const { result: made, entries } = await collectShares<Secret>(ctx, {
          operation: 'generate-root',
          nonce: status.nonce,
          required: status.required,
          progress: 0,
          which: 'unseal share',
          submit: async (share) => {
            const s = await vault.generateRootUpdate(node, share, status.nonce, otp, ctx.signal);
            if (!s.complete) return { progress: s.progress };
            if (!('token' in s) || !s.token)
              throw new Error('Vault did not return an OTP-encoded root token');
            return { done: s.token };
          },
        });
        token = made;
        ctx.registerSecret(token);
        const info = await vault.tokenLookupSelf(node, token, ctx.signal);
        accessor = info.accessor;
        if (!info.policies.includes('root'))
          throw new Error(`the new token has policies ${info.policies.join(', ')}, not root`);
        ctx.log(
          `root token made (accessor ${info.accessor}, policies ${info.policies.join(', ')}); it is never shown`,
        );
        return {
          token,
          accessor: info.accessor,
          nonce: status.nonce,
          node: node.name,
          address: node.address,
          entries,
        };
      } catch (err) {
        if (token) {
          const made = token;
          await cleanup(
            {
              what: 'the step failed, and revoking the new root token',
              done: 'the new root token was revoked because the step failed (lookup-self now refuses it)',
              byHand: accessor
                ? `revoke it by hand now: vault token revoke -accessor ${accessor}`
                : 'revoke it by hand now (vault token revoke -self with the token, or by its accessor from `vault list auth/token/accessors`)',
              run: () => revokeSelfAndVerify(vault, node, made, cleanupSignal()),
            },
            ctx,
          );
          throw err;
        }
        // The attempt lives in the active node's memory: a seal, restart or step-down of that
        // node ends it. Start again on the node that is active now, with a new nonce.
        const next = ctx.signal.aborted ? undefined : await failedOver(ctx, vault, node);
        if (next && attempt < 3) {
          ctx.log(
            `every keyholder enters their share again: ${node.name} is no longer the active node, and attempt ${status.nonce} ended with it (${errorMessage(err)})`,
            'stderr',
          );
          node = next;
          continue;
        }
        await cleanup(
          {
            what: `cancelling generate-root attempt ${status.nonce} (${errorMessage(err)})`,
            done: `generate-root attempt ${status.nonce} cancelled: ${errorMessage(err)}`,
            byHand: `cancel it by hand: vault operator generate-root -cancel (on ${node.address})`,
            run: () => vault.generateRootCancel(node, cleanupSignal()),
          },
          ctx,
        );
        throw err;
      }
    }
  },
};

const WindowIn = z.strictObject({
  token: Token,
  accessor: z.string().optional(),
  message: z
    .string()
    .default(
      'Break-glass window: the root token is live. Do the break-glass work now, and come back when you are done.',
    ),
  /**
   * How a person gets the token: `clipboard` (offered when there is one, cleared after 30 s,
   * never on screen), `screen` (shown once to the operator, who proves they recorded it, as a
   * keyholder's share is; never in a headless run), or `none` (scripted `run:` steps only).
   */
  handoff: z.enum(['clipboard', 'screen', 'none']).default('clipboard'),
});

async function revokeAfterEarlyEnd(
  ctx: ActionContext<z.input<typeof WindowIn>>,
  token: Secret,
): Promise<void> {
  const vault = requireVault(ctx);
  const accessor = ctx.input.accessor;
  await cleanup(
    {
      what: 'the window ended early, and revoking the root token',
      done: 'the window ended early: the root token was revoked (lookup-self now refuses it)',
      byHand: accessor
        ? `revoke it by hand now: vault token revoke -accessor ${accessor}`
        : 'revoke it by hand now, by the accessor the generate step logged: vault token revoke -accessor <accessor>',
      run: async () => {
        const node = await activeNode(vault, cleanupSignal());
        await revokeSelfAndVerify(vault, node, token, cleanupSignal());
      },
    },
    ctx,
  );
}

/** Gives the token to the operator the way the step says; returns how it went. */
async function handOut(
  ctx: ActionContext<z.input<typeof WindowIn>>,
  token: Secret,
  accessor: string,
): Promise<'clipboard' | 'screen' | 'none'> {
  const how = ctx.input.handoff ?? 'clipboard';
  if (how === 'screen') {
    await handOver(ctx, {
      holder: ctx.operator,
      label: 'break-glass root token',
      secret: token,
      proofLength: 6,
      clearAfterMs: 30_000,
    });
    return 'screen';
  }
  const clip = ctx.ports.clipboard;
  if (how === 'none' || !clip) return 'none';
  const c = await ctx.ask({
    type: 'confirm',
    message: `Copy the root token${accessor} to the clipboard? It is never shown on screen; the clipboard is cleared after 30 s.`,
    default: true,
  });
  if (!c.value) return 'none';
  try {
    await clip.copy(token, 30_000);
  } catch (err) {
    // No clipboard here (an SSH session): the window stays open for scripted work.
    ctx.log(`could not copy to the clipboard (${errorMessage(err)})`, 'stderr');
    return 'none';
  }
  ctx.log('root token copied to the clipboard (cleared in 30 s)');
  return 'clipboard';
}

/**
 * The time a person works with the root token. The token is handed over through the clipboard
 * (cleared after 30 s) or shown once (handoff: screen); `run:` steps take it whole in `env:`. If the window
 * ends any other way than "done" — abort, Ctrl-C, a headless run with no answer — the token is
 * revoked here, because a later revoke step would never run.
 */
export const breakGlassAction: ActionDef<z.input<typeof WindowIn>> = {
  id: 'vault.break-glass',
  summary:
    'Hold a break-glass window open with a root token (clipboard, or shown once with proof); revokes it if the window ends early',
  input: WindowIn,
  idempotent: true,
  human: true,
  // Checked before a headless run starts, so no token is made that nobody could receive.
  headless: (w) =>
    w.handoff === 'screen'
      ? 'handoff: screen shows the root token on a terminal, and a headless run never shows a token; use token_handoff=none (scripted work) or run it in a terminal'
      : undefined,
  describe: (i) => `break-glass window: ${i.message?.split('\n')[0] ?? ''}`,
  async run(ctx) {
    const token = ctx.input.token;
    const accessor = ctx.input.accessor ? ` (accessor ${ctx.input.accessor})` : '';
    try {
      const handed = await handOut(ctx, token, accessor);
      await ctx.ask({
        type: 'instructions',
        message: `${ctx.input.message ?? ''}\n\nThe root token${accessor} stays valid until you answer; it is revoked right after.`,
        ack: 'Done with break-glass work: revoke the token',
      });
      return { done: true, handed };
    } catch (err) {
      await revokeAfterEarlyEnd(ctx, token);
      throw err;
    }
  },
};

/** vault.revoke-self (operator.ts) ends the window: it revokes and proves the token dead. */
export const rootTokenActions: AnyAction[] = [generateRootAction, breakGlassAction];
