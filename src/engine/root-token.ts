import { Secret } from '../domain/secret.js';
import { VaultApiError, type VaultNode, type VaultPort } from './vault.js';

/**
 * Vault's nonce-based operations that combine shares — generate-root and rekey — over the
 * generic `VaultPort.request()`. Shares, OTPs and tokens stay `Secret` until the adapter.
 */

export interface GenerateRootStatus {
  readonly started: boolean;
  readonly nonce: string;
  readonly progress: number;
  readonly required: number;
  readonly complete: boolean;
  readonly otpLength: number;
  /** Set when the last share was accepted: the root token XORed with the OTP. */
  readonly encodedToken?: Secret;
}

export function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function toGenerateRoot(v: unknown): GenerateRootStatus {
  const b = rec(v);
  const encoded = str(b.encoded_token) || str(b.encoded_root_token);
  return {
    started: b.started === true,
    nonce: str(b.nonce),
    progress: num(b.progress),
    required: num(b.required),
    complete: b.complete === true,
    otpLength: num(b.otp_length),
    ...(encoded ? { encodedToken: new Secret(encoded, 'encoded root token') } : {}),
  };
}

export async function generateRootStatus(
  vault: VaultPort,
  node: VaultNode,
  signal: AbortSignal,
): Promise<GenerateRootStatus> {
  return toGenerateRoot(
    await vault.request(node, { method: 'GET', path: 'sys/generate-root/attempt' }, signal),
  );
}

/** Starts an attempt with an OTP Vault generates (1.10+: `otp` in the answer, `otp_length` 28). */
export async function startGenerateRoot(
  vault: VaultPort,
  node: VaultNode,
  signal: AbortSignal,
): Promise<{ status: GenerateRootStatus; otp: Secret }> {
  const r = rec(
    await vault.request(node, { method: 'PUT', path: 'sys/generate-root/attempt' }, signal),
  );
  const otp = str(r.otp);
  if (!otp)
    throw new Error('Vault did not return an OTP for the generate-root attempt (Vault < 1.10?)');
  return { status: toGenerateRoot(r), otp: new Secret(otp, 'generate-root OTP') };
}

export async function submitGenerateRoot(
  vault: VaultPort,
  node: VaultNode,
  key: Secret,
  nonce: string,
  signal: AbortSignal,
): Promise<GenerateRootStatus> {
  return toGenerateRoot(
    await vault.request(
      node,
      { method: 'PUT', path: 'sys/generate-root/update', body: { key: key.reveal(), nonce } },
      signal,
    ),
  );
}

export async function cancelGenerateRoot(
  vault: VaultPort,
  node: VaultNode,
  signal: AbortSignal,
): Promise<void> {
  await vault.request(node, { method: 'DELETE', path: 'sys/generate-root/attempt' }, signal);
}

/**
 * What `vault operator generate-root -decode` does for an OTP attempt (Vault ≥ 1.10): the encoded
 * token is unpadded standard base64 of token XOR otp, byte for byte, both the same length.
 */
export function decodeRootToken(encoded: Secret, otp: Secret): Secret {
  const bytes = Buffer.from(encoded.reveal().replace(/=+$/, ''), 'base64');
  const pad = Buffer.from(otp.reveal(), 'utf8');
  if (bytes.length !== pad.length)
    throw new Error(
      `the encoded token (${bytes.length} bytes) and the OTP (${pad.length} bytes) differ in length`,
    );
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] ?? 0) ^ (pad[i] ?? 0);
  return new Secret(out.toString('utf8'), 'root token');
}

export interface TokenInfo {
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly ttl: number;
}

export async function lookupSelf(
  vault: VaultPort,
  node: VaultNode,
  token: Secret,
  signal: AbortSignal,
): Promise<TokenInfo> {
  const d = rec(
    rec(await vault.request(node, { method: 'GET', path: 'auth/token/lookup-self', token }, signal))
      .data,
  );
  return {
    accessor: str(d.accessor),
    policies: Array.isArray(d.policies) ? d.policies.map(String) : [],
    ttl: num(d.ttl),
  };
}

/** Revokes a token with itself and proves it: a lookup with it must then be refused (403). Idempotent. */
export async function revokeSelfAndVerify(
  vault: VaultPort,
  node: VaultNode,
  token: Secret,
  signal: AbortSignal,
): Promise<void> {
  try {
    await vault.request(node, { method: 'POST', path: 'auth/token/revoke-self', token }, signal);
  } catch (err) {
    // Already revoked (a retry, or the window revoked it): the lookup below tells.
    if (!(err instanceof VaultApiError && err.status === 403)) throw err;
  }
  try {
    await lookupSelf(vault, node, token, signal);
  } catch (err) {
    if (err instanceof VaultApiError && err.status === 403) return;
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
 * aborted. Whatever happens, no attempt is left behind. The caller clears a stale attempt first.
 */
export async function checkShares(
  vault: VaultPort,
  node: VaultNode,
  shares: readonly Secret[],
  signal: AbortSignal,
): Promise<ShareCheck> {
  const existing = await generateRootStatus(vault, node, signal);
  if (existing.started)
    throw new Error(
      `a generate-root attempt is in progress (nonce ${existing.nonce}, ${existing.progress}/${existing.required}): cancel it first`,
    );
  const { status, otp } = await startGenerateRoot(vault, node, signal);
  let finished = false;
  try {
    for (const [i, share] of shares.entries()) {
      let s: GenerateRootStatus;
      try {
        s = await submitGenerateRoot(vault, node, share, status.nonce, signal);
      } catch (err) {
        if (err instanceof Error && WRONG_COMBINATION.test(err.message))
          return {
            result: 'rejected',
            detail: `Vault refused the combination at share ${i + 1} of ${status.required}`,
          };
        throw err;
      }
      if (s.complete && s.encodedToken) {
        finished = true;
        const token = decodeRootToken(s.encodedToken, otp);
        await revokeSelfAndVerify(vault, node, token, signal);
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
      await cancelGenerateRoot(vault, node, AbortSignal.timeout(10_000)).catch(() => undefined);
  }
}
