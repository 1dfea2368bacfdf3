import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import { VaultApiError, type VaultNode, type VaultPort } from '../vault.js';
import type { ActionContext, ActionDef } from './types.js';
import { pickNode, ROOT_TOKEN_LOST, secretIn } from './ceremony.js';
import { requireVault } from './vault.js';

/**
 * The ceremony's root tokens when a process died with one in memory: the accessor of the
 * initial root token is journaled (an accessor is not a secret), and once the keyholders have
 * made a new root token, every other root token — the lost initial one, and one an earlier
 * recovery made and lost — is revoked by its accessor and proved dead.
 */

const Token = secretIn('the root token', ROOT_TOKEN_LOST);

const LookupInput = z.strictObject({ token: Token, node: z.string().optional() });

export const tokenLookupAction: ActionDef<z.infer<typeof LookupInput>> = {
  id: 'vault.token-lookup',
  summary:
    'Look a token up with itself (auth/token/lookup-self): outputs its accessor and policies, never the token',
  input: LookupInput,
  idempotent: true,
  human: false,
  describe: () => 'look the token up (lookup-self) and record its accessor',
  async run(ctx) {
    const vault = requireVault(ctx);
    const node = await pickNode(vault, ctx.input.node, ctx.signal);
    const info = await vault.tokenLookupSelf(node, ctx.input.token, ctx.signal);
    ctx.log(`token accessor ${info.accessor} (policies ${info.policies.join(', ')})`);
    return { accessor: info.accessor, policies: [...info.policies] };
  },
};

/** Vault's answer to lookup-accessor for a token that no longer exists ("invalid accessor"). */
const isInvalidAccessor = (err: unknown): boolean =>
  err instanceof VaultApiError && err.status === 400;

async function alive(
  vault: VaultPort,
  node: VaultNode,
  ctx: ActionContext<z.infer<typeof RevokeInput>>,
  accessor: string,
): Promise<{ policies: readonly string[] } | undefined> {
  try {
    return await vault.tokenLookupAccessor(node, ctx.input.token, accessor, ctx.signal);
  } catch (err) {
    if (isInvalidAccessor(err)) return undefined;
    throw err;
  }
}

const RevokeInput = z.strictObject({
  /** The root token the keyholders just made: it revokes the others, then itself later. */
  token: Token,
  /** Accessors from the journal (the initial root token's), '' where none was recorded. */
  accessors: z.array(z.string()).default([]),
  node: z.string().optional(),
});

export const revokeLostRootAction: ActionDef<z.input<typeof RevokeInput>> = {
  id: 'vault.revoke-lost-root',
  summary:
    'With a new root token, revoke every other root token — the journaled accessors, and any root token found among the token accessors — and prove each dead (lookup-accessor fails)',
  input: RevokeInput,
  idempotent: true,
  human: false,
  describe: (i) =>
    `revoke the lost root token(s)${i.accessors?.some(Boolean) ? ` (accessor ${i.accessors.filter(Boolean).join(', ')})` : ''} and every other root token, and prove them dead`,
  async run(ctx) {
    const input = RevokeInput.parse(ctx.input);
    const c = { ...ctx, input };
    const vault = requireVault(ctx);
    const node = await pickNode(vault, input.node, ctx.signal);
    const own = (await vault.tokenLookupSelf(node, input.token, ctx.signal)).accessor;
    const journaled = [...new Set(input.accessors.filter((a) => a && a !== own))];
    // A root token whose accessor never reached the journal (the process died before the unseal
    // let it be looked up) is found by its policy: at a bootstrap, no other root token exists.
    const found: string[] = [];
    for (const a of await vault.tokenAccessors(node, input.token, ctx.signal)) {
      if (a === own || journaled.includes(a)) continue;
      const info = await alive(vault, node, c, a);
      if (info?.policies.includes('root')) found.push(a);
    }
    const revoked: { accessor: string; source: string }[] = [];
    const targets = [
      ...journaled.map((a) => ({ accessor: a, source: 'journal' })),
      ...found.map((a) => ({ accessor: a, source: 'found' })),
    ];
    for (const t of targets) {
      if (!(await alive(vault, node, c, t.accessor))) {
        ctx.log(`root token ${t.accessor} (${t.source}) is already gone`);
        revoked.push({ ...t, source: `${t.source}, already revoked` });
        continue;
      }
      try {
        await vault.tokenRevokeAccessor(node, input.token, t.accessor, ctx.signal);
      } catch (err) {
        throw new Error(
          `revoking the lost root token ${t.accessor} failed (${errorMessage(err)}): it is still valid; revoke it by hand: vault token revoke -accessor ${t.accessor}`,
        );
      }
      if (await alive(vault, node, c, t.accessor))
        throw new Error(
          `the lost root token ${t.accessor} still exists after revoke-accessor: revoke it by hand (vault token revoke -accessor ${t.accessor})`,
        );
      ctx.log(
        `lost root token ${t.accessor} (${t.source === 'journal' ? 'accessor from the journal' : 'found among the token accessors'}) revoked: lookup-accessor now fails`,
      );
      revoked.push(t);
    }
    if (targets.length === 0) ctx.log('no other root token exists');
    const at = ctx.ports.clock.now().toISOString();
    return { lost_roots_revoked: revoked, by_accessor: own, at };
  },
};
