import type { Profile } from '../domain/schema.js';
import type { RecoveryPort } from '../engine/recovery.js';
import { sandboxRecoveryNodes } from '../sandbox/api.js';
import { AwsClients, type Credentials } from './aws/clients.js';
import { AwsRecovery, type AwsRecoveryOptions } from './recovery-aws.js';
import { vaultFromProfile } from './vault.js';

/**
 * The recovery-node port for a profile. A profile with a `recovery:` section launches an
 * isolated instance on AWS (./recovery-aws.ts; on the sandbox, moto's instance becomes a local
 * Vault through the supervisor). Without one, the sandbox's supervisor runs a local process;
 * a real AWS profile without it has none, and quarantine mode says what is missing.
 */
export function recoveryFromProfile(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
  opts: { credentials?: Credentials; timeouts?: AwsRecoveryOptions['timeouts'] } = {},
): RecoveryPort | undefined {
  if (profile?.recovery && profile.aws) {
    // Fixed keys only for the sandbox (the composition root decides); else the standard chain.
    const clients = new AwsClients(profile.aws.endpoints ?? {}, opts.credentials);
    const timeouts = opts.timeouts;
    let vault: ReturnType<typeof vaultFromProfile> | undefined;
    return new AwsRecovery(profile, {
      clients,
      ...(timeouts ? { timeouts } : {}),
      // The profile's CA and server name verify the recovery node as they do the cluster's.
      async probe(address, signal) {
        vault ??= vaultFromProfile(profile, env, () => Promise.resolve([]));
        const h = await vault.health({ name: 'recovery node', address }, signal);
        return h.reachable ? undefined : h.error;
      },
    });
  }
  if (profile?.image?.builder !== 'sandbox') return undefined;
  const nodes = sandboxRecoveryNodes(env);
  return {
    kind: 'sandbox (a local Vault process the sandbox supervisor owns)',
    async start(spec, signal) {
      const n = await nodes.start(
        {
          name: spec.name,
          bucket: spec.bucket,
          ...(spec.lockTable ? { lockTable: spec.lockTable } : {}),
        },
        signal,
      );
      return {
        name: n.name,
        address: n.address,
        bucket: n.bucket,
        ...(n.lockTable ? { lockTable: n.lockTable } : {}),
      };
    },
    async list(signal) {
      return (await nodes.list(signal)).map((n) => ({
        name: n.name,
        address: n.address,
        bucket: n.bucket,
        ...(n.lockTable ? { lockTable: n.lockTable } : {}),
      }));
    },
    async destroy(name, signal) {
      const r = await nodes.destroy(name, signal);
      return {
        stopped: r.stopped,
        ...(r.lockTableDeleted ? { lockTableDeleted: r.lockTableDeleted } : {}),
      };
    },
  };
}
