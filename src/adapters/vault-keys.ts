import { Secret } from '../domain/secret.js';
import type {
  GenerateRootDone,
  GenerateRootStart,
  GenerateRootStarted,
  GenerateRootStatus,
  RekeyRequest,
  RekeyResult,
  RekeyStatus,
  RekeyVerifyStatus,
  RekeyVerifyUpdate,
  VaultNode,
} from '../engine/vault.js';
import type { VaultCaller } from './vault-caller.js';
import { decodeRootToken, toGenerateRoot, toRekey } from './vault-convert.js';
import * as S from './vault-schemas.js';

/**
 * generate-root and rekey: nonce-based attempts that combine shares. Unauthenticated, so no
 * token is ever sent; shares leave as Secret.reveal() here and nowhere else.
 */

export async function generateRootStatus(
  c: VaultCaller,
  node: VaultNode,
  signal: AbortSignal,
): Promise<GenerateRootStatus> {
  return toGenerateRoot(
    await c.call(node, 'GET', 'sys/generate-root/attempt', S.GenerateRootSchema, signal),
  );
}

export async function generateRootStart(
  c: VaultCaller,
  node: VaultNode,
  how: GenerateRootStart,
  signal: AbortSignal,
): Promise<GenerateRootStarted> {
  const r = await c.call(node, 'PUT', 'sys/generate-root/attempt', S.GenerateRootSchema, signal, {
    ...(how.kind === 'pgp' ? { body: { pgp_key: how.pgpKey } } : {}),
  });
  if (how.kind === 'otp' && !r.otp)
    throw new Error('Vault did not return an OTP for the generate-root attempt (Vault < 1.10?)');
  return {
    status: toGenerateRoot(r),
    ...(r.otp ? { otp: new Secret(r.otp, 'generate-root OTP') } : {}),
  };
}

export async function generateRootUpdate(
  c: VaultCaller,
  node: VaultNode,
  key: Secret,
  nonce: string,
  otp: Secret | undefined,
  signal: AbortSignal,
): Promise<GenerateRootStatus | GenerateRootDone> {
  const r = await c.call(node, 'PUT', 'sys/generate-root/update', S.GenerateRootSchema, signal, {
    body: { key: key.reveal(), nonce },
  });
  const encoded = r.encoded_token || r.encoded_root_token;
  if (!r.complete || !encoded) return toGenerateRoot(r);
  const enc = new Secret(encoded, 'encoded root token');
  // A PGP attempt's token is a base64 PGP message; an OTP attempt's decodes here.
  const base = { ...toGenerateRoot(r), nonce: r.nonce || nonce, complete: true as const };
  return r.pgp_fingerprint || !otp
    ? { ...base, encryptedToken: enc }
    : { ...base, token: decodeRootToken(enc, otp) };
}

export async function generateRootCancel(
  c: VaultCaller,
  node: VaultNode,
  signal: AbortSignal,
): Promise<void> {
  await c.do(node, 'DELETE', 'sys/generate-root/attempt', signal);
}

export async function rekeyStatus(
  c: VaultCaller,
  node: VaultNode,
  signal: AbortSignal,
): Promise<RekeyStatus> {
  return toRekey(await c.call(node, 'GET', 'sys/rekey/init', S.RekeySchema, signal));
}

export async function rekeyStart(
  c: VaultCaller,
  node: VaultNode,
  req: RekeyRequest,
  signal: AbortSignal,
): Promise<RekeyStatus> {
  return toRekey(
    await c.call(node, 'PUT', 'sys/rekey/init', S.RekeySchema, signal, {
      body: {
        secret_shares: req.shares,
        secret_threshold: req.threshold,
        ...(req.pgpKeys ? { pgp_keys: req.pgpKeys } : {}),
        ...(req.requireVerification ? { require_verification: true } : {}),
        backup: false,
      },
    }),
  );
}

export async function rekeyUpdate(
  c: VaultCaller,
  node: VaultNode,
  key: Secret,
  nonce: string,
  signal: AbortSignal,
): Promise<RekeyStatus | RekeyResult> {
  const b = await c.call(node, 'PUT', 'sys/rekey/update', S.RekeySchema, signal, {
    body: { key: key.reveal(), nonce },
  });
  if (!b.complete) return toRekey(b);
  const pgp = b.pgp_fingerprints.length > 0;
  const keys = pgp ? b.keys_base64 : b.keys;
  return {
    complete: true,
    nonce: b.nonce,
    keys: keys.map((k, i) => new Secret(k, `new share ${i + 1}`)),
    pgpFingerprints: b.pgp_fingerprints,
    ...(b.verification_nonce ? { verificationNonce: b.verification_nonce } : {}),
  };
}

export async function rekeyCancel(
  c: VaultCaller,
  node: VaultNode,
  signal: AbortSignal,
): Promise<void> {
  await c.do(node, 'DELETE', 'sys/rekey/init', signal);
}

export async function rekeyVerifyStatus(
  c: VaultCaller,
  node: VaultNode,
  signal: AbortSignal,
): Promise<RekeyVerifyStatus> {
  const b = await c.call(node, 'GET', 'sys/rekey/verify', S.RekeyVerifySchema, signal);
  return { nonce: b.nonce, progress: b.progress, t: b.t, n: b.n };
}

export async function rekeyVerifyUpdate(
  c: VaultCaller,
  node: VaultNode,
  key: Secret,
  nonce: string,
  signal: AbortSignal,
): Promise<RekeyVerifyUpdate> {
  const b = await c.call(node, 'PUT', 'sys/rekey/verify', S.RekeyVerifySchema, signal, {
    body: { key: key.reveal(), nonce },
  });
  return b.complete ? { complete: true } : { complete: false, progress: b.progress };
}
