import { Secret } from '../domain/secret.js';
import { rec, num, str } from './root-token.js';
import type { VaultNode, VaultPort } from './vault.js';

/** sys/rekey: new unseal shares from the old ones, nonce-based like generate-root. */

export interface RekeyStatus {
  readonly started: boolean;
  readonly nonce: string;
  readonly t: number;
  readonly n: number;
  readonly progress: number;
  readonly required: number;
  readonly pgpFingerprints: readonly string[];
  readonly verificationRequired: boolean;
  /** Set once the new shares exist and wait for keyholders to enter them again. */
  readonly verificationNonce?: string;
}

export interface RekeyResult {
  readonly complete: true;
  readonly nonce: string;
  /** Hex shares, or base64 PGP messages when PGP keys were given (keys_base64). */
  readonly keys: readonly Secret[];
  readonly pgpFingerprints: readonly string[];
  /** Set with require_verification: the old shares stay valid until sys/rekey/verify completes. */
  readonly verificationNonce?: string;
}

function toRekey(v: unknown): RekeyStatus {
  const b = rec(v);
  return {
    started: b.started === true,
    nonce: str(b.nonce),
    t: num(b.t),
    n: num(b.n),
    progress: num(b.progress),
    required: num(b.required),
    pgpFingerprints: Array.isArray(b.pgp_fingerprints) ? b.pgp_fingerprints.map(String) : [],
    verificationRequired: b.verification_required === true,
    ...(str(b.verification_nonce) ? { verificationNonce: str(b.verification_nonce) } : {}),
  };
}

export async function rekeyStatus(
  vault: VaultPort,
  node: VaultNode,
  signal: AbortSignal,
): Promise<RekeyStatus> {
  return toRekey(await vault.request(node, { method: 'GET', path: 'sys/rekey/init' }, signal));
}

export interface RekeyRequest {
  readonly shares: number;
  readonly threshold: number;
  /** Base64 of each keyholder's binary public key, in share order. */
  readonly pgpKeys?: readonly string[];
  /** The new shares replace the old only once a threshold of them is entered again. */
  readonly requireVerification?: boolean;
}

export async function startRekey(
  vault: VaultPort,
  node: VaultNode,
  req: RekeyRequest,
  signal: AbortSignal,
): Promise<RekeyStatus> {
  return toRekey(
    await vault.request(
      node,
      {
        method: 'PUT',
        path: 'sys/rekey/init',
        body: {
          secret_shares: req.shares,
          secret_threshold: req.threshold,
          ...(req.pgpKeys ? { pgp_keys: req.pgpKeys } : {}),
          ...(req.requireVerification ? { require_verification: true } : {}),
          backup: false,
        },
      },
      signal,
    ),
  );
}

export async function submitRekey(
  vault: VaultPort,
  node: VaultNode,
  key: Secret,
  nonce: string,
  signal: AbortSignal,
): Promise<RekeyStatus | RekeyResult> {
  const b = rec(
    await vault.request(
      node,
      { method: 'PUT', path: 'sys/rekey/update', body: { key: key.reveal(), nonce } },
      signal,
    ),
  );
  if (b.complete !== true) return toRekey(b);
  const pgp = Array.isArray(b.pgp_fingerprints) && b.pgp_fingerprints.length > 0;
  const raw = pgp ? b.keys_base64 : b.keys;
  const keys = Array.isArray(raw) ? raw.map(String) : [];
  return {
    complete: true,
    nonce: str(b.nonce),
    keys: keys.map((k, i) => new Secret(k, `new share ${i + 1}`)),
    pgpFingerprints: pgp ? (b.pgp_fingerprints as unknown[]).map(String) : [],
    ...(str(b.verification_nonce) ? { verificationNonce: str(b.verification_nonce) } : {}),
  };
}

export async function cancelRekey(
  vault: VaultPort,
  node: VaultNode,
  signal: AbortSignal,
): Promise<void> {
  await vault.request(node, { method: 'DELETE', path: 'sys/rekey/init' }, signal);
}

export interface RekeyVerifyStatus {
  readonly nonce: string;
  readonly progress: number;
  readonly t: number;
  readonly n: number;
}

export async function rekeyVerifyStatus(
  vault: VaultPort,
  node: VaultNode,
  signal: AbortSignal,
): Promise<RekeyVerifyStatus> {
  const b = rec(await vault.request(node, { method: 'GET', path: 'sys/rekey/verify' }, signal));
  return { nonce: str(b.nonce), progress: num(b.progress), t: num(b.t), n: num(b.n) };
}

/** A wrong combination makes Vault start verification over with a new nonce. */
export async function submitRekeyVerify(
  vault: VaultPort,
  node: VaultNode,
  key: Secret,
  nonce: string,
  signal: AbortSignal,
): Promise<{ complete: true } | { complete: false; progress: number }> {
  const b = rec(
    await vault.request(
      node,
      { method: 'PUT', path: 'sys/rekey/verify', body: { key: key.reveal(), nonce } },
      signal,
    ),
  );
  return b.complete === true ? { complete: true } : { complete: false, progress: num(b.progress) };
}
