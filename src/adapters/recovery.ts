import type { Profile } from '../domain/schema.js';
import type { RecoveryPort } from '../engine/recovery.js';
import { sandboxRecoveryNodes } from '../sandbox/api.js';

/**
 * The recovery-node port for a profile: the sandbox's supervisor runs the node. For a real AWS
 * profile there is none yet — launching an instance of the AMI with no route to production
 * needs network and IAM facts the profile does not hold — so quarantine mode says so.
 */
export function recoveryFromProfile(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
): RecoveryPort | undefined {
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
