import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import type { Secret } from '../../domain/secret.js';
import { revokeSelfAndVerify } from '../root-token.js';
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

/** The token, or what the journal kept of it (‹redacted›) when the process died with it. */
const LookupInput = z.strictObject({
  token: z.union([Token, z.string()]),
  node: z.string().optional(),
});

export const tokenLookupAction: ActionDef<z.infer<typeof LookupInput>> = {
  id: 'vault.token-lookup',
  summary:
    'Look a token up with itself (auth/token/lookup-self): outputs its accessor and policies, never the token',
  input: LookupInput,
  idempotent: true,
  human: false,
  describe: () => 'look the token up (lookup-self) and record its accessor',
  async run(ctx) {
    const token = ctx.input.token;
    if (typeof token === 'string') {
      ctx.log(
        'the root token died with the interrupted process before its accessor was recorded: the recovery finds it by its root policy',
      );
      return { accessor: '', policies: [] };
    }
    const vault = requireVault(ctx);
    const node = await pickNode(vault, ctx.input.node, ctx.signal);
    const info = await vault.tokenLookupSelf(node, token, ctx.signal);
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
  token: Secret,
  accessor: string,
  signal: AbortSignal,
): Promise<{ policies: readonly string[] } | undefined> {
  try {
    return await vault.tokenLookupAccessor(node, token, accessor, signal);
  } catch (err) {
    if (isInvalidAccessor(err)) return undefined;
    throw err;
  }
}

const RevokeInput = z.strictObject({
  /** The root token in memory (the initial one, or one the keyholders made): revoked last. */
  token: Token,
  /** Accessors from the journal (the initial root token's), '' where none was recorded. */
  accessors: z.array(z.string()).default([]),
  /** Which token `token` is, for the log and the ceremony transcript. */
  what: z.string().default('root token'),
  node: z.string().optional(),
});
type RevokeInput = z.input<typeof RevokeInput>;

/**
 * Revokes every other root token, by accessor, and proves each dead (lookup-accessor fails).
 * A root token whose accessor never reached the journal (the process died before the unseal
 * let it be looked up) is found by its policy: at the end of a bootstrap, none may remain.
 */
async function revokeOthers(
  ctx: ActionContext<RevokeInput>,
  vault: VaultPort,
  node: VaultNode,
  token: Secret,
  own: string,
  accessors: readonly string[],
): Promise<{ accessor: string; source: string }[]> {
  const journaled = [...new Set(accessors.filter((a) => a && a !== own))];
  const lookup = (a: string) => alive(vault, node, token, a, ctx.signal);
  const found: string[] = [];
  for (const a of await vault.tokenAccessors(node, token, ctx.signal)) {
    if (a === own || journaled.includes(a)) continue;
    if ((await lookup(a))?.policies.includes('root')) found.push(a);
  }
  const revoked: { accessor: string; source: string }[] = [];
  const targets = [
    ...journaled.map((a) => ({ accessor: a, source: 'journal' })),
    ...found.map((a) => ({ accessor: a, source: 'found' })),
  ];
  for (const t of targets) {
    if (!(await lookup(t.accessor))) {
      ctx.log(`root token ${t.accessor} (${t.source}) is already gone`);
      revoked.push({ ...t, source: `${t.source}, already revoked` });
      continue;
    }
    try {
      await vault.tokenRevokeAccessor(node, token, t.accessor, ctx.signal);
    } catch (err) {
      throw new Error(
        `revoking the lost root token ${t.accessor} failed (${errorMessage(err)}): it is still valid; revoke it by hand: vault token revoke -accessor ${t.accessor}`,
      );
    }
    if (await lookup(t.accessor))
      throw new Error(
        `the lost root token ${t.accessor} still exists after revoke-accessor: revoke it by hand (vault token revoke -accessor ${t.accessor})`,
      );
    ctx.log(
      `lost root token ${t.accessor} (${t.source === 'journal' ? 'accessor from the journal' : 'found among the token accessors'}) revoked: lookup-accessor now fails`,
    );
    revoked.push(t);
  }
  return revoked;
}

export const revokeRootTokensAction: ActionDef<RevokeInput> = {
  id: 'vault.revoke-root-tokens',
  summary:
    'End a bootstrap with no root token: revoke every other root token by accessor (journaled, or found by its root policy) and prove each dead, then revoke the token itself and prove it (lookup-self fails)',
  input: RevokeInput,
  idempotent: true,
  human: false,
  describe: (i) =>
    `revoke every other root token${i.accessors?.some(Boolean) ? ` (journaled accessor ${i.accessors.filter(Boolean).join(', ')})` : ''}, then the ${i.what ?? 'root token'} itself, and prove them dead`,
  async run(ctx) {
    const input = RevokeInput.parse(ctx.input);
    const vault = requireVault(ctx);
    const node = await pickNode(vault, input.node, ctx.signal);
    const own = (await vault.tokenLookupSelf(node, input.token, ctx.signal)).accessor;
    const others = await revokeOthers(ctx, vault, node, input.token, own, input.accessors);
    if (others.length === 0) ctx.log('no other root token exists');
    ctx.log(`revoking token ${own} (policies root), the ${input.what}`);
    await revokeSelfAndVerify(vault, node, input.token, ctx.signal);
    const at = ctx.ports.clock.now().toISOString();
    ctx.log(`${input.what} ${own} revoked: lookup-self is refused at ${at}`);
    return { revoked: true, what: input.what, accessor: own, lost_roots_revoked: others, at };
  },
};
