import { sandboxReplication } from './api.js';
import { layout } from './layout.js';
import { readState } from './state.js';

/**
 * The sandbox's primary → DR replication is an emulation run by its supervisor (MinIO's own
 * replication has no measurable lag), so the failover runbooks read and resume it here instead
 * of through S3's replication API.
 */
/** The shape of the engine's ReplicationLink (the sandbox may not import the engine). */
export interface ReplicationLink {
  readonly enabled: boolean;
  readonly detail: string;
}

export function sandboxReplicationLink(env: NodeJS.ProcessEnv): ReplicationLink {
  const s = readState(layout(env).stateFile);
  const r = s?.replication;
  if (!s || !r) return { enabled: false, detail: 'the sandbox is not running' };
  if (r.paused) return { enabled: false, detail: `paused: ${r.paused}` };
  return {
    enabled: true,
    detail: `emulated CRR running: ${r.pendingVersions} version(s) pending, oldest ${r.oldestPendingSeconds} s`,
  };
}

export function resumeSandboxReplication(
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<string> {
  return sandboxReplication(env, true, signal);
}
