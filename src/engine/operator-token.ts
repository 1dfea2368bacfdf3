import type { Secret } from '../domain/secret.js';
import type { ActionContext } from './actions/types.js';
import type { TokenInfo, VaultNode } from './vault.js';
import { VaultApiError } from './vault.js';

/**
 * The operator's own Vault token, found the way the `vault` CLI finds it: `VAULT_TOKEN`, else
 * the token helper's file (~/.vault-token). The composition root reads the environment once;
 * the engine never does. A token typed at a prompt is remembered for the rest of this process
 * only — never journaled — so a resumed run asks again (or reads VAULT_TOKEN again).
 */
export interface CredentialsPort {
  /** The token from the environment or the token file, with where it came from. */
  vaultToken(): { readonly token: Secret; readonly source: string } | undefined;
  /** A token a person typed in this process, to ask only once per process. */
  remembered(): Secret | undefined;
  remember(token: Secret): void;
  /**
   * The token a step of this run used, checked by Vault on `node`: the only token the end of
   * the run may use to leave the journal's final hash in the audit log (never asked for anew).
   */
  confirmed(): { readonly token: Secret; readonly node: VaultNode } | undefined;
  confirm(token: Secret, node: VaultNode): void;
}

export interface OperatorToken {
  readonly token: Secret;
  readonly source: string;
  readonly info: TokenInfo;
}

/**
 * The operator's token for a step that needs one, checked against `node` (lookup-self) so a
 * wrong or expired token fails here with a clear message, not half-way through a procedure.
 * A typed token that Vault refuses is asked for again (three tries). `confirm: false` for a node
 * outside the cluster (an S3 quarantine's recovery node, destroyed before the run ends): the
 * end of the run writes the journal's hash through the confirmed node, so it must be a live one.
 */
export async function operatorToken(
  ctx: ActionContext<unknown>,
  node: VaultNode,
  purpose: string,
  opts: { readonly confirm?: boolean } = {},
): Promise<OperatorToken> {
  const vault = ctx.ports.vault;
  if (!vault) throw new Error('this step needs Vault: the profile names no Vault node');
  const creds = ctx.ports.credentials;
  const check = async (token: Secret, source: string): Promise<OperatorToken> => {
    ctx.registerSecret(token);
    const info = await vault.tokenLookupSelf(node, token, ctx.signal);
    if (opts.confirm !== false) creds?.confirm(token, node);
    return { token, source, info };
  };
  const known = creds?.vaultToken();
  if (known) {
    try {
      return await check(known.token, known.source);
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 403)
        throw new Error(
          `the token in ${known.source} is not valid on ${node.name} (permission denied): unset it or give a valid operator token`,
        );
      throw err;
    }
  }
  const mem = creds?.remembered();
  if (mem) return check(mem, 'the token typed earlier in this run');
  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const a = await ctx.ask({
      type: 'secret',
      label: 'operator token',
      message: `${lastError ? `${lastError}\n\n` : ''}Vault token for ${purpose} (VAULT_TOKEN is not set). It is used for this run only and never stored.`,
    });
    try {
      const t = await check(a.value, 'the operator (typed)');
      creds?.remember(t.token);
      return t;
    } catch (err) {
      if (!(err instanceof VaultApiError && err.status === 403)) throw err;
      lastError = `Vault refused that token on ${node.name} (permission denied).`;
    }
  }
  throw new Error(`no valid operator token after 3 tries: ${lastError}`);
}

/** An in-memory CredentialsPort; the composition root builds one from the environment. */
export class MemoryCredentials implements CredentialsPort {
  #typed: Secret | undefined;
  #confirmed: { token: Secret; node: VaultNode } | undefined;
  readonly #known: { token: Secret; source: string } | undefined;
  constructor(known?: { token: Secret; source: string }) {
    this.#known = known;
  }
  vaultToken(): { token: Secret; source: string } | undefined {
    return this.#known;
  }
  remembered(): Secret | undefined {
    return this.#typed;
  }
  remember(token: Secret): void {
    this.#typed = token;
  }
  confirmed(): { token: Secret; node: VaultNode } | undefined {
    return this.#confirmed;
  }
  confirm(token: Secret, node: VaultNode): void {
    this.#confirmed = { token, node };
  }
}
