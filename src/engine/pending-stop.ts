import type { Runbook } from '../domain/schema.js';
import type { PastRun } from './ports.js';
import type { RunEvent } from './state.js';

/**
 * A run that stopped the cluster (in-place S3 recovery scales the ASG to 0) and did not bring
 * it back must not go unnoticed: every entry point (the TUI home, `list`, `run`, `status`) says
 * so, and another mutating run against the same profile refuses while it stands.
 *
 * The marker is the `cluster` field of a `step-started` record: the interpreter journals it
 * (fsync'd) before the step's action runs, so a kill right after the ASG call still leaves it.
 * "Started again" is the success of a step whose start carried `cluster: 'starts'`.
 *
 * A stop stands until one of two things the journals show — nothing clears it by guesswork:
 * - a `starts` step succeeded after it on the same profile (this run's own start step, or a
 *   later run's: that action waits until the group is back at its size and every node answers);
 * - an operator acknowledged it with `vault-runbook ack-stop <run-id>`, a journaled run of its
 *   own (who, when, on which host), after bringing the group back by hand.
 * An unseal run that succeeds is not taken as proof: it unseals the nodes it finds, which says
 * nothing about whether the group is back at the size it had.
 */
export interface ClusterStop {
  /** When the stopping step started (the journal record's time). */
  readonly at: string;
  readonly stepId: string;
  /** The group's size before the stop, when the stop step was given it (the record step's). */
  readonly bringBack?: { readonly asg?: string; readonly desired: number; readonly min?: number };
}

/** What a run's own records say about the cluster. */
export interface ClusterMarks {
  /** The stop its records leave standing (a run that finished can leave one too). */
  readonly stop?: ClusterStop;
  /** When a `starts` step of this run last succeeded. */
  readonly startedAt?: string;
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function bringBackOf(withInput: unknown): ClusterStop['bringBack'] {
  if (withInput === null || typeof withInput !== 'object') return undefined;
  const w = withInput as Record<string, unknown>;
  const desired = num(w.desired);
  if (desired === undefined) return undefined;
  const min = num(w.min);
  return {
    ...(typeof w.asg === 'string' ? { asg: w.asg } : {}),
    desired,
    ...(min !== undefined ? { min } : {}),
  };
}

export function clusterMarks(
  records: readonly { readonly time: string; readonly event: RunEvent }[],
): ClusterMarks {
  let stop: ClusterStop | undefined;
  let startedAt: string | undefined;
  const starting = new Set<string>();
  for (const { time, event } of records) {
    // A resumed run's start step can be judged done by its probe (the group back at size,
    // every node answering) without running again: that counts as a start too.
    const done =
      event.type === 'step-succeeded' || (event.type === 'step-probed' && event.tookEffect);
    if (done && starting.has(event.stepId)) {
      stop = undefined;
      startedAt = time;
    }
    if (event.type !== 'step-started') continue;
    if (event.cluster === 'stops' && !stop) {
      const bringBack = bringBackOf(event.with);
      stop = { at: time, stepId: event.stepId, ...(bringBack ? { bringBack } : {}) };
    }
    if (event.cluster === 'starts') starting.add(event.stepId);
    else starting.delete(event.stepId);
  }
  return { ...(stop ? { stop } : {}), ...(startedAt ? { startedAt } : {}) };
}

/** The stop a run's records leave standing, if any, whether or not the run finished. */
export function clusterLeftStopped(
  records: readonly { readonly time: string; readonly event: RunEvent }[],
): ClusterStop | undefined {
  return clusterMarks(records).stop;
}

/** Where the run that stopped the cluster stands: it decides what the operator can do. */
export type StopOwner =
  | { readonly kind: 'in-progress'; readonly pid: number }
  | { readonly kind: 'resumable' }
  | { readonly kind: 'ended'; readonly outcome: string };

export interface PendingStop {
  readonly run: PastRun;
  readonly stop: ClusterStop;
  readonly owner: StopOwner;
}

function ownerOf(run: PastRun): StopOwner {
  if (run.lockPid !== undefined) return { kind: 'in-progress', pid: run.lockPid };
  if (run.finished !== undefined) return { kind: 'ended', outcome: run.finished };
  return { kind: 'resumable' };
}

function cleared(run: PastRun, stop: ClusterStop, runs: readonly PastRun[]): boolean {
  return runs.some(
    (o) =>
      o.runId !== run.runId &&
      (o.acknowledges === run.runId ||
        (o.clusterStartedAt !== undefined &&
          o.clusterStartedAt > stop.at &&
          run.profileName !== undefined &&
          o.profileName === run.profileName)),
  );
}

/** Every stop that still stands, with the state of the run that made it. */
export function pendingStops(runs: readonly PastRun[]): PendingStop[] {
  return runs.flatMap((run) => {
    const stop = run.clusterStopped;
    if (!stop || cleared(run, stop, runs)) return [];
    return [{ run, stop, owner: ownerOf(run) }];
  });
}

function bringBackSteps(p: PendingStop): string {
  const b = p.stop.bringBack;
  const group = b?.asg ? `ASG ${b.asg}` : "the profile's ASG (aws.asg)";
  const size = b
    ? `to desired ${b.desired}${b.min !== undefined ? ` (min ${b.min})` : ''}, its size before the stop`
    : 'to its size before the stop (not journaled)';
  const profile = p.run.profileFile ? ` --profile ${p.run.profileFile}` : '';
  return `scale ${group} ${size}; then vault-runbook ack-stop ${p.run.runId}; then vault-runbook run unseal${profile}`;
}

/** The warning every entry point prints, word for word. */
export function pendingStopLine(p: PendingStop): string {
  const head = `run ${p.run.runId} (${p.run.runbookId}) stopped the cluster at ${p.stop.at}`;
  switch (p.owner.kind) {
    case 'in-progress':
      return `${head} and is in progress (pid ${p.owner.pid}) — the cluster is down until its start step succeeds`;
    case 'resumable':
      return `${head} and has not finished — resume it: vault-runbook resume ${p.run.runId}`;
    case 'ended':
      return `${head} and ended (${p.owner.outcome}) without starting it, so it cannot be resumed — bring it back: ${bringBackSteps(p)}`;
  }
}

export function pendingStopLines(runs: readonly PastRun[]): string[] {
  return pendingStops(runs).map(pendingStopLine);
}

/** What the refusal proposes for the first stop in the way. */
export function pendingStopNextSteps(p: PendingStop, rerun: string): string[] {
  const force = `or, knowing the cluster's state: ${rerun} --force-despite ${p.run.runId}`;
  switch (p.owner.kind) {
    case 'in-progress':
      return [`wait for run ${p.run.runId} (pid ${p.owner.pid}) to finish`, force];
    case 'resumable':
      return [`vault-runbook resume ${p.run.runId}`, force];
    case 'ended':
      return [bringBackSteps(p), force];
  }
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
 * The standing stops that forbid a new run against a profile: a stop recorded under the same
 * profile name, or under none (it cannot be told apart), minus the one the operator named with
 * `--force-despite`. A run with no profile names no cluster to collide with.
 */
export function blockingStops(
  runs: readonly PastRun[],
  profileName: string | undefined,
  forceDespite: string | undefined,
): PendingStop[] {
  if (profileName === undefined) return [];
  return pendingStops(runs).filter(
    (p) =>
      p.run.runId !== forceDespite &&
      (p.run.profileName === undefined || p.run.profileName === profileName),
  );
}
