import type { Runbook } from '../domain/schema.js';
import type { PastRun } from './ports.js';
import type { RunEvent } from './state.js';

/**
 * A run that stopped the cluster (in-place S3 recovery scales the ASG to 0) and never brought
 * it back must not go unnoticed: every entry point (the TUI home, `list`, `run`) says so, and
 * another mutating run against the same profile refuses until it is resumed.
 *
 * The marker is the `cluster` field of a `step-started` record: the interpreter journals it
 * (fsync'd) before the step's action runs, so a kill right after the ASG call still leaves it.
 * "Started again" is the success of a step whose start carried `cluster: 'starts'`.
 */
export interface ClusterStop {
  /** When the stopping step started (the journal record's time). */
  readonly at: string;
  readonly stepId: string;
}

/** The stop a run's records leave standing, if any (a finished run is not pending). */
export function clusterLeftStopped(
  records: readonly { readonly time: string; readonly event: RunEvent }[],
): ClusterStop | undefined {
  let stopped: ClusterStop | undefined;
  const starting = new Set<string>();
  for (const { time, event } of records) {
    if (event.type === 'run-finished') return undefined;
    if (event.type === 'step-succeeded' && starting.has(event.stepId)) stopped = undefined;
    if (event.type !== 'step-started') continue;
    if (event.cluster === 'stops') stopped ??= { at: time, stepId: event.stepId };
    if (event.cluster === 'starts') starting.add(event.stepId);
    else starting.delete(event.stepId);
  }
  return stopped;
}

/** The warning every entry point prints, word for word. */
export function pendingStopLine(run: PastRun, stop: ClusterStop): string {
  return `run ${run.runId} (${run.runbookId}) stopped the cluster at ${stop.at} and has not finished — resume it: vault-runbook resume ${run.runId}`;
}

export function pendingStopLines(runs: readonly PastRun[]): string[] {
  return runs.flatMap((r) => (r.clusterStopped ? [pendingStopLine(r, r.clusterStopped)] : []));
}

/**
 * Actions that only read or ask: a runbook made of these alone (the health check, a drill)
 * may run while the cluster is stopped. Anything else — a `run:` shell step included — counts
 * as mutating. One list here rather than a field on every action keeps the rule in one place.
 */
const READ_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'vault.health',
  'vault.seal-status',
  'vault.wait',
  'human.confirm',
  'human.choose',
  'human.checklist',
  'human.input',
]);

export function isMutating(runbook: Runbook): boolean {
  return runbook.steps.some((s) => !s.uses || !READ_ONLY_ACTIONS.has(s.uses));
}

/**
 * The pending stops that forbid a new run against a profile: a stop recorded under the same
 * profile name, or under none (it cannot be told apart), minus the one the operator named with
 * `--force-despite`. A run with no profile names no cluster to collide with.
 */
export function blockingStops(
  runs: readonly PastRun[],
  profileName: string | undefined,
  forceDespite: string | undefined,
): PastRun[] {
  return runs.filter(
    (r) =>
      r.clusterStopped &&
      r.runId !== forceDespite &&
      profileName !== undefined &&
      (r.profileName === undefined || r.profileName === profileName),
  );
}
