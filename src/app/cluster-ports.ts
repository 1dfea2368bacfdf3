// The cluster's ports (Vault, AWS) for a profile: what the status pane and every run share. Part
// of the composition root (./ports.ts re-exports it), in a module of its own so the TUI's status
// loads only these adapters — not execa, the image builder or the sandbox supervisor's client.
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import type { VaultPort } from '../engine/vault.js';
import { awsFromProfile, type ReplicationControl } from '../adapters/aws/index.js';
import { vaultFromProfile } from '../adapters/vault.js';
import { nodeResolver } from './discover.js';
import { SANDBOX_CREDENTIALS } from '../sandbox/layout.js';

/** The sandbox supervisor's client, loaded with the first replication call (a failover's). */
const sandboxApi = () => import('../sandbox/api.js');

/**
 * The AWS port for a profile. The sandbox's moto and MinIO take its fixed dummy keys, and its
 * primary → DR replication is the supervisor's emulation, not S3's API: both decided here so
 * the adapter never knows the sandbox exists. A real account uses the standard chain, and its
 * keys never go to a sandbox endpoint.
 */
export function awsForProfile(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv = process.env,
): AwsPort | undefined {
  if (profile?.image?.builder !== 'sandbox') return awsFromProfile(profile);
  const replication: ReplicationControl = {
    link: async () => (await sandboxApi()).sandboxReplicationLink(env),
    resume: async (signal) => (await sandboxApi()).sandboxReplication(env, true, signal),
  };
  return awsFromProfile(profile, { credentials: { ...SANDBOX_CREDENTIALS }, replication });
}

/** The Vault port when a profile or VAULT_ADDR names a cluster; a runbook without Vault steps needs none. */
export function clusterPorts(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
): { vault?: VaultPort; aws?: AwsPort } {
  const aws = awsForProfile(profile, env);
  const discover = nodeResolver(profile, aws);
  const drDiscover = nodeResolver(profile, aws, 'dr');
  const hasVault =
    (profile?.vault.addresses?.length ?? 0) > 0 || Boolean(env.VAULT_ADDR) || Boolean(discover);
  return {
    ...(hasVault ? { vault: vaultFromProfile(profile, env, discover, drDiscover) } : {}),
    ...(aws ? { aws } : {}),
  };
}
