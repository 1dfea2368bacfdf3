import type { z } from 'zod';
import { Secret } from '../domain/secret.js';
import type { GenerateRootStatus, RekeyStatus, SealStatus, TokenInfo } from '../engine/vault.js';
import type * as S from './vault-schemas.js';

/** Vault's parsed answers turned into the port's types, and the few encodings the calls need. */

export function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success)
    throw new Error(
      `${what}: Vault's answer does not have the expected shape (${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')})`,
    );
  return r.data;
}

export function toSealStatus(b: z.output<typeof S.SealStatusSchema>): SealStatus {
  return {
    initialized: b.initialized,
    sealed: b.sealed,
    t: b.t,
    n: b.n,
    progress: b.progress,
    nonce: b.nonce,
    version: b.version,
    ...(b.type !== undefined ? { type: b.type } : {}),
    ...(b.cluster_name !== undefined ? { clusterName: b.cluster_name } : {}),
  };
}

export function toGenerateRoot(b: z.output<typeof S.GenerateRootSchema>): GenerateRootStatus {
  return {
    started: b.started,
    nonce: b.nonce,
    progress: b.progress,
    required: b.required,
    complete: b.complete,
    ...(b.pgp_fingerprint ? { pgpFingerprint: b.pgp_fingerprint } : {}),
  };
}

export function toRekey(b: z.output<typeof S.RekeySchema>): RekeyStatus {
  return {
    started: b.started,
    nonce: b.nonce,
    t: b.t,
    n: b.n,
    progress: b.progress,
    required: b.required,
    pgpFingerprints: b.pgp_fingerprints,
    verificationRequired: b.verification_required,
    ...(b.verification_nonce ? { verificationNonce: b.verification_nonce } : {}),
  };
}

export function toTokenInfo(b: z.output<typeof S.TokenLookupSchema>): TokenInfo {
  return {
    accessor: b.data.accessor,
    policies: b.data.policies,
    ttl: b.data.ttl,
    orphan: b.data.orphan,
    displayName: b.data.display_name,
  };
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

export const seg = (p: string): string =>
  p
    .split('/')
    .filter((x) => x !== '')
    .map(encodeURIComponent)
    .join('/');

export function kvValues(
  data: Readonly<Record<string, unknown>>,
  where: string,
): Record<string, Secret> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [
      k,
      new Secret(typeof v === 'string' ? v : JSON.stringify(v), `${where}:${k}`),
    ]),
  );
}
