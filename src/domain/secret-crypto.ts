import { armor, encryptTo, type PgpPublicKey } from './pgp.js';
import type { Secret } from './secret.js';

/**
 * The few pure operations that need a secret's plaintext without doing I/O: comparing shares and
 * encrypting for a keyholder. They live in domain/ (pure, no I/O) so that the engine never calls
 * reveal(); adapters are the only other place that does.
 */

/** The key bytes Vault reads from a share (hex first, then base64, as sys/unseal does). */
function keyBytes(share: string): string | undefined {
  const t = share.trim();
  if (t.length > 0 && t.length % 2 === 0 && /^[0-9a-f]+$/i.test(t)) return t.toLowerCase();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(t) && t.length % 4 === 0)
    return Buffer.from(t, 'base64').toString('hex');
  return undefined;
}

/** The same share, even typed once as hex and once as base64. */
export function sameShare(a: Secret, b: Secret): boolean {
  const x = keyBytes(a.reveal());
  return x !== undefined && x === keyBytes(b.reveal());
}

/** A share Vault encrypted to a PGP key (base64 of the binary message), armored for gpg. */
export function armorEncryptedShare(share: Secret): string {
  return armor('MESSAGE', new Uint8Array(Buffer.from(share.reveal(), 'base64')));
}

/** A secret encrypted to a keyholder's key, armored: safe to write to a file. */
export function encryptSecretTo(key: PgpPublicKey, secret: Secret): string {
  return armor('MESSAGE', encryptTo(key, Buffer.from(secret.reveal())));
}

/** Two secret values are equal (the S3 recovery compares a restored value with the live one). */
export function sameSecret(a: Secret, b: Secret): boolean {
  return a.reveal() === b.reveal();
}

/** A keyholder's proof that they recorded a secret: what they typed is its last n characters. */
export function provesTail(secret: Secret, proof: Secret, n: number): boolean {
  return proof.reveal() === secret.tail(n);
}
