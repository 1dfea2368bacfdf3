import { createHash } from 'node:crypto';
import type { Profile, Runbook } from '../domain/schema.js';
import type { ActionRegistry } from '../engine/actions/registry.js';
import { pastRuns } from '../adapters/journal-scan.js';
import { readUserFile } from '../adapters/user-file.js';
import { ExitCode, UsageError, VrError } from '../domain/errors.js';
import {
  blockingStops,
  isMutating,
  pendingStopLine,
  pendingStopNextSteps,
  pendingStops,
} from '../engine/pending-stop.js';
import { parseVars, resolveInputs } from './inputs.js';
import { loadProfile, profilePath } from './profiles.js';
import { parseRunbookText } from './parse-runbook.js';
import { registry } from './registry.js';
import { resolveRunbook } from './runbooks.js';

export interface NewRunRequest {
  readonly runbookRef: string;
  readonly profile?: string;
  readonly vars?: readonly string[];
  readonly dryRun?: boolean;
  /** Run although this run id left the cluster stopped (`--force-despite`). */
  readonly forceDespite?: string;
}

/**
 * Everything a new run is made of, read once: the runbook's text is read a single time, and
 * the hash in the journal is of exactly the text that was parsed (reading the file twice
 * would let an edit in between slip past `resume`'s change check).
 */
export interface PreparedRun {
  readonly request: NewRunRequest;
  readonly runbookFile: string;
  readonly runbookSha256: string;
  readonly runbook: Runbook;
  readonly profile: Profile | undefined;
  readonly profileFile: string | undefined;
  readonly inputs: Record<string, unknown>;
  readonly registry: ActionRegistry;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The runbook file's text and hash, read once. */
export function readRunbook(
  file: string,
  reg: ActionRegistry,
): { runbook: Runbook; sha256: string } {
  const text = readUserFile(file, 'runbook');
  return { runbook: parseRunbookText(text, file, reg), sha256: sha256(text) };
}

export function prepareRun(
  req: NewRunRequest,
  env: NodeJS.ProcessEnv = process.env,
  reg: ActionRegistry = registry(),
): PreparedRun {
  const runbookFile = resolveRunbook(req.runbookRef, env);
  const { runbook, sha256: runbookSha256 } = readRunbook(runbookFile, reg);
  const profileFile = profilePath(req.profile, env);
  const profile = loadProfile(profileFile);
  const inputs = resolveInputs(runbook, parseVars(req.vars ?? []), profile);
  refuseWhileStopped(req, runbook, profile, env);
  return {
    request: req,
    runbookFile,
    runbookSha256,
    runbook,
    profile,
    profileFile,
    inputs,
    registry: reg,
  };
}

/**
 * A run that stopped the cluster and has not started it again owns the cluster until it is
 * resumed (or, when it ended, until the cluster is back and acknowledged): another mutating run
 * against the same profile would work on a cluster that is down (or bring it up under the
 * half-done recovery). A dry run or a read-only runbook may go on.
 */
function refuseWhileStopped(
  req: NewRunRequest,
  runbook: Runbook,
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
): void {
  const runs = pastRuns(env);
  const force = req.forceDespite;
  if (force !== undefined && !pendingStops(runs).some((p) => p.run.runId === force))
    throw new UsageError(`--force-despite ${force}: no run of that id has the cluster stopped`, [
      'vault-runbook journal list',
    ]);
  if (req.dryRun || !isMutating(runbook)) return;
  const blocking = blockingStops(runs, profile?.name, force);
  const first = blocking[0];
  if (!first) return;
  throw new VrError(
    `refusing to run ${runbook.id}: ${blocking.map(pendingStopLine).join('; ')}`,
    ExitCode.precondition,
    pendingStopNextSteps(first, `vault-runbook run ${req.runbookRef}`),
  );
}
