import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import { isSecret, type Secret } from '../../domain/secret.js';
import {
  activeNode,
  cancelGenerateRoot,
  decodeRootToken,
  generateRootStatus,
  lookupSelf,
  revokeSelfAndVerify,
  startGenerateRoot,
  submitGenerateRoot,
} from '../root-token.js';
import { collectShares, offerCancelStale } from './keyholder-shares.js';
import type { ActionContext, ActionDef, AnyAction } from './types.js';
import { requireVault } from './vault.js';

/** Cleanup runs after an abort too, so it cannot use the step's (aborted) signal. */
const cleanupSignal = (): AbortSignal => AbortSignal.timeout(10_000);

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
    const node = await activeNode(vault, ctx.signal);
    const stale = await generateRootStatus(vault, node, ctx.signal);
    if (stale.started)
      await offerCancelStale(ctx, { operation: 'generate-root', ...stale }, () =>
        cancelGenerateRoot(vault, node, ctx.signal),
      );
    const { status, otp } = await startGenerateRoot(vault, node, ctx.signal);
    ctx.registerSecret(otp);
    ctx.log(
      `generate-root attempt started on ${node.name}: nonce ${status.nonce}, ${status.required} share(s) needed`,
    );
    let token: Secret | undefined;
    try {
      const { result: encoded, entries } = await collectShares<Secret>(ctx, {
        operation: 'generate-root',
        nonce: status.nonce,
        required: status.required,
        progress: 0,
        which: 'unseal share',
        submit: async (share) => {
          const s = await submitGenerateRoot(vault, node, share, status.nonce, ctx.signal);
          return s.complete && s.encodedToken ? { done: s.encodedToken } : { progress: s.progress };
        },
      });
      token = decodeRootToken(encoded, otp);
      ctx.registerSecret(token);
      const info = await lookupSelf(vault, node, token, ctx.signal);
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
        await revokeSelfAndVerify(vault, node, token, cleanupSignal()).catch(() => undefined);
        ctx.log('the new root token was revoked because the step failed', 'stderr');
      } else {
        await cancelGenerateRoot(vault, node, cleanupSignal()).catch(() => undefined);
        ctx.log(`generate-root attempt ${status.nonce} cancelled: ${errorMessage(err)}`, 'stderr');
      }
      throw err;
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
  /** Offer to copy the token to the clipboard (cleared after 30 s); it is never displayed. */
  clipboard: z.boolean().default(true),
});

async function revokeAfterEarlyEnd(
  ctx: ActionContext<z.input<typeof WindowIn>>,
  token: Secret,
): Promise<void> {
  const vault = requireVault(ctx);
  try {
    const node = await activeNode(vault, cleanupSignal());
    await revokeSelfAndVerify(vault, node, token, cleanupSignal());
    ctx.log('the window ended early: the root token was revoked', 'stderr');
  } catch (err) {
    ctx.log(
      `the window ended early and revoking the root token failed (${errorMessage(err)}): revoke it by accessor ${ctx.input.accessor ?? '(see the generate step)'} now`,
      'stderr',
    );
  }
}

/**
 * The time a person works with the root token. The token is handed over through the clipboard
 * (cleared after 30 s), never on screen; `run:` steps can take it whole in `env:`. If the window
 * ends any other way than "done" — abort, Ctrl-C, a headless run with no answer — the token is
 * revoked here, because a later revoke step would never run.
 */
export const breakGlassAction: ActionDef<z.input<typeof WindowIn>> = {
  id: 'vault.break-glass',
  summary:
    'Hold a break-glass window open with a root token (clipboard hand-off, never shown); revokes it if the window ends early',
  input: WindowIn,
  idempotent: true,
  human: true,
  describe: (i) => `break-glass window: ${i.message?.split('\n')[0] ?? ''}`,
  async run(ctx) {
    const token = ctx.input.token;
    const accessor = ctx.input.accessor ? ` (accessor ${ctx.input.accessor})` : '';
    try {
      let copied = false;
      if (ctx.ports.clipboard && ctx.input.clipboard !== false) {
        const c = await ctx.ask({
          type: 'confirm',
          message: `Copy the root token${accessor} to the clipboard? It is never shown on screen; the clipboard is cleared after 30 s.`,
          default: true,
        });
        if (c.value) {
          await ctx.ports.clipboard.copy(token.reveal(), 30_000);
          copied = true;
          ctx.log('root token copied to the clipboard (cleared in 30 s)');
        }
      }
      await ctx.ask({
        type: 'instructions',
        message: `${ctx.input.message ?? ''}\n\nThe root token${accessor} stays valid until you answer; it is revoked right after.`,
        ack: 'Done with break-glass work: revoke the token',
      });
      return { done: true, copied };
    } catch (err) {
      await revokeAfterEarlyEnd(ctx, token);
      throw err;
    }
  },
};

/** vault.revoke-self (operator.ts) ends the window: it revokes and proves the token dead. */
export const rootTokenActions: AnyAction[] = [generateRootAction, breakGlassAction];
