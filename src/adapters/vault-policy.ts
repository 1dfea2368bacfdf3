import { UsageError } from '../domain/errors.js';
import type { VaultNode } from '../engine/vault.js';

/**
 * When the Vault client may do without TLS verification: never by accident. An http:// address
 * or skip-verify (the profile's `tls.skip_verify`, or `VAULT_SKIP_VERIFY=true|1`) needs the
 * profile's loud override, `vault.tls.insecure_override: "<why>"`; with it, the reason is
 * returned so the caller shows and journals it. The sandbox needs no override: its profile is
 * https with its own CA.
 */
export function checkTransportPolicy(
  nodes: readonly VaultNode[],
  skipVerify: boolean,
  override: string | undefined,
): string | undefined {
  const plain = nodes.filter((n) => !/^https:\/\//i.test(n.address));
  const bad = [
    ...plain.map((n) => `${n.name} (${n.address}) is not https`),
    ...(skipVerify ? ['TLS verification is switched off (skip_verify / VAULT_SKIP_VERIFY)'] : []),
  ];
  if (bad.length === 0) return undefined;
  if (override && override.trim() !== '')
    return `INSECURE Vault connection allowed by the profile (${override.trim()}): ${bad.join('; ')}`;
  throw new UsageError(
    `refusing an insecure Vault connection: ${bad.join('; ')}. Shares and tokens would travel unprotected`,
    [
      'use https:// addresses and give the CA in the profile (vault.tls.ca_cert) or VAULT_CACERT',
      'for a lab cluster only: set vault.tls.insecure_override: "<why>" in the profile (shown and journaled on every run)',
    ],
  );
}

/**
 * VAULT_SKIP_VERIFY read strictly: only `true` or `1` ask to skip (the vault CLI's reading
 * turns any value, even `false`, into a skip). Asking is then subject to checkTransportPolicy.
 */
export function envSkipVerify(env: NodeJS.ProcessEnv): boolean {
  const v = (env.VAULT_SKIP_VERIFY ?? '').trim().toLowerCase();
  return v === 'true' || v === '1';
}
