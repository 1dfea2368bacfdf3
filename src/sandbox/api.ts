import { ExitCode, UsageError, VrError } from '../domain/errors.js';
import { askSupervisor, type ControlReply, type ControlRequest } from './control.js';
import { layout, REGION_KEYS, type RegionKey } from './layout.js';
import type { RecoveryNodeInfo, RecoveryNodeRequest, RecoveryStopResult } from './recovery.js';
import { readState } from './state.js';
import { supervisorAlive } from './up.js';

/**
 * What runbook actions (through an adapter) and the sandbox CLI call on a running sandbox:
 * each is one request to the supervisor over its control socket, so it works from any process.
 */

export interface SandboxImage {
  readonly amiId: string;
  readonly version: string;
  readonly region: RegionKey;
}

export function regionKey(raw: string): RegionKey {
  if ((REGION_KEYS as readonly string[]).includes(raw)) return raw as RegionKey;
  throw new UsageError(`unknown sandbox region '${raw}' (one of ${REGION_KEYS.join(', ')})`);
}

async function ask(
  env: NodeJS.ProcessEnv,
  req: ControlRequest,
  failed: string,
  signal: AbortSignal,
): Promise<ControlReply> {
  const l = layout(env);
  const s = readState(l.stateFile);
  if (!s || !supervisorAlive(s))
    throw new VrError('the sandbox is not running', ExitCode.precondition, [
      'vault-runbook sandbox up',
    ]);
  const r = await askSupervisor(s.socket, req, signal);
  if (r.ok) return r;
  throw r.usage
    ? new UsageError(r.error ?? failed)
    : new VrError(r.error ?? failed, ExitCode.stepFailed);
}

/**
 * `image.build` with builder `sandbox`: registers a new AMI for `version` in the sandbox's moto
 * (region `region`) and returns its id. Instances launched from it run that Vault version.
 * Only versions whose binary is in the tools cache are valid; another is a usage error.
 */
export async function sandboxImage(
  env: NodeJS.ProcessEnv,
  version: string,
  region: RegionKey,
  signal: AbortSignal,
): Promise<SandboxImage> {
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new UsageError(`'${version}' is not a Vault version (like 1.14.8)`);
  const r = await ask(env, { op: 'image', version, region }, 'no image registered', signal);
  return r.data as SandboxImage;
}

/** Pauses or resumes the emulated primary → DR replication (a region outage pauses it). */
export async function sandboxReplication(
  env: NodeJS.ProcessEnv,
  enabled: boolean,
  signal: AbortSignal,
): Promise<string> {
  const r = await ask(env, { op: 'replication', enabled }, 'replication unchanged', signal);
  return r.message ?? '';
}

/** The shape of the engine's ReplicationLink (the sandbox may not import the engine). */
export interface SandboxReplicationLink {
  readonly enabled: boolean;
  readonly detail: string;
}

/**
 * The sandbox's primary → DR replication is an emulation run by its supervisor (MinIO's own
 * replication has no measurable lag), so the failover runbooks read and resume it here instead
 * of through S3's replication API; the composition root hands these to the AWS adapter.
 */
export function sandboxReplicationLink(env: NodeJS.ProcessEnv): SandboxReplicationLink {
  const s = readState(layout(env).stateFile);
  const r = s?.replication;
  if (!s || !r) return { enabled: false, detail: 'the sandbox is not running' };
  if (r.paused) return { enabled: false, detail: `paused: ${r.paused}` };
  return {
    enabled: true,
    detail: `emulated CRR running: ${r.pendingVersions} version(s) pending, oldest ${r.oldestPendingSeconds} s`,
  };
}

/**
 * The port the S3 quarantine recovery's actions use (through an adapter) to run an isolated
 * recovery Vault: on the sandbox a local process on a quarantine bucket in MinIO, with its own
 * lock table or none; on AWS an instance of the same AMI with no route to production.
 */
export interface RecoveryNodePort {
  /** Starts the node and returns once its API answers (sealed on a copied bucket). */
  start(req: RecoveryNodeRequest, signal: AbortSignal): Promise<RecoveryNodeInfo>;
  /** The recovery nodes running now (a resumed run finds a half-made quarantine here). */
  list(signal: AbortSignal): Promise<RecoveryNodeInfo[]>;
  /** Stops the node and deletes the lock table made for it; a node already gone is no error. */
  destroy(name: string, signal: AbortSignal): Promise<RecoveryStopResult>;
}

export function sandboxRecoveryNodes(env: NodeJS.ProcessEnv): RecoveryNodePort {
  return {
    start: async (req, signal) =>
      (await ask(env, { op: 'recovery-start', ...req }, 'recovery node not started', signal))
        .data as RecoveryNodeInfo,
    list: async (signal) =>
      (await ask(env, { op: 'recovery-list' }, 'no list', signal)).data as RecoveryNodeInfo[],
    destroy: async (name, signal) =>
      (await ask(env, { op: 'recovery-stop', name }, 'recovery node not stopped', signal))
        .data as RecoveryStopResult,
  };
}
