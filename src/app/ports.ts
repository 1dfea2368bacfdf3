// The composition root: the one place that picks an adapter for each port. A command loads
// only what it uses — the AWS SDK clients are imported by the adapter when a profile with an
// `aws` section first calls them; a profile without one never loads them.
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import type { ClipboardPort, HumanPort, Ports, ProcessPort } from '../engine/ports.js';
import type { VaultPort } from '../engine/vault.js';
import { awsFromProfile, type ReplicationControl } from '../adapters/aws/index.js';
import { systemClock } from '../adapters/clock.js';
import { credentialsFromEnv } from '../adapters/credentials.js';
import { LocalFiles } from '../adapters/files.js';
import { imagesFromProfile } from '../adapters/image.js';
import { recoveryFromProfile } from '../adapters/recovery.js';
import { pastRuns } from '../adapters/journal-scan.js';
import { vaultFromProfile } from '../adapters/vault.js';
import { nodeResolver } from './discover.js';
import { sandboxReplication, sandboxReplicationLink } from '../sandbox/api.js';
import { SANDBOX_CREDENTIALS } from '../sandbox/layout.js';

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
    link: () => Promise.resolve(sandboxReplicationLink(env)),
    resume: (signal) => sandboxReplication(env, true, signal),
  };
  return awsFromProfile(profile, { credentials: { ...SANDBOX_CREDENTIALS }, replication });
}

/**
 * The process port, loaded on its first command: execa is among the costliest imports, and
 * most runs (and every TUI start) never spawn a process before the screen is up.
 */
class LazyProcess implements ProcessPort {
  #real: Promise<ProcessPort> | undefined;
  #get(): Promise<ProcessPort> {
    this.#real ??= import('../adapters/process.js').then((m) => new m.ExecaProcess());
    return this.#real;
  }
  run(...args: Parameters<ProcessPort['run']>): ReturnType<ProcessPort['run']> {
    return this.#get().then((p) => p.run(...args));
  }
  killStale(...args: Parameters<ProcessPort['killStale']>): ReturnType<ProcessPort['killStale']> {
    return this.#get().then((p) => p.killStale(...args));
  }
}

/** The Vault port when a profile or VAULT_ADDR names a cluster; a runbook without Vault steps needs none. */
export function clusterPorts(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
): { vault?: VaultPort; aws?: AwsPort } {
  const aws = awsForProfile(profile, env);
  const discover = nodeResolver(profile, aws);
  const hasVault =
    (profile?.vault.addresses?.length ?? 0) > 0 || Boolean(env.VAULT_ADDR) || Boolean(discover);
  return {
    ...(hasVault ? { vault: vaultFromProfile(profile, env, discover) } : {}),
    ...(aws ? { aws } : {}),
  };
}

function recoveryPort(profile: Profile | undefined, env: NodeJS.ProcessEnv) {
  const recovery = recoveryFromProfile(
    profile,
    env,
    profile?.image?.builder === 'sandbox' ? { credentials: { ...SANDBOX_CREDENTIALS } } : {},
  );
  return recovery ? { recovery } : {};
}

function withImages(profile: Profile | undefined, env: NodeJS.ProcessEnv): Pick<Ports, 'image'> {
  const image = imagesFromProfile(profile, env);
  return image ? { image } : {};
}

export function runPorts(
  human: HumanPort,
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
  clipboard?: ClipboardPort,
): Ports {
  return {
    process: new LazyProcess(),
    clock: systemClock,
    human,
    files: new LocalFiles(),
    journals: { runs: () => pastRuns(env) },
    credentials: credentialsFromEnv(env),
    ...recoveryPort(profile, env),
    ...withImages(profile, env),
    ...(clipboard ? { clipboard } : {}),
    ...clusterPorts(profile, env),
  };
}
