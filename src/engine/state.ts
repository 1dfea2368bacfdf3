import type { Profile, Runbook } from '../domain/schema.js';
import type { HumanPrompt } from './human.js';

export type StepStatus =
  | { kind: 'pending' }
  | { kind: 'running'; attempt: number; startedAt: string; pid?: number }
  | {
      kind: 'awaiting-human';
      attempt: number;
      startedAt: string;
      prompt: HumanPrompt;
      pid?: number;
      phase: 'confirm' | 'action';
    }
  | { kind: 'retry-wait'; attempt: number; error: string }
  | { kind: 'succeeded'; attempt: number; outputs: Record<string, unknown>; durationMs: number }
  | { kind: 'failed'; attempt: number; error: string; durationMs: number }
  | { kind: 'skipped'; reason: string }
  | { kind: 'planned'; would: string; with: unknown };

export type RunStatus =
  | { kind: 'created' }
  | { kind: 'checking-preconditions'; index: number }
  | { kind: 'running' }
  | { kind: 'aborting'; reason: string }
  | { kind: 'suspended'; stepId: string; reason: string }
  | { kind: 'finished'; outcome: RunOutcome };

export type RunOutcome =
  | { kind: 'succeeded'; failedButContinued: string[] }
  | { kind: 'failed'; stepId: string; error: string }
  | { kind: 'aborted'; reason: string }
  | { kind: 'precondition-failed'; message: string }
  | { kind: 'planned' };

export interface RunMeta {
  readonly runId: string;
  readonly runbookFile: string;
  readonly runbookSha256: string;
  readonly inputs: Record<string, unknown>;
  readonly profileName?: string;
  readonly profileFile?: string;
  readonly dryRun: boolean;
}

export interface RunState {
  readonly meta: RunMeta;
  readonly runbook: Runbook;
  readonly profile?: Profile;
  readonly status: RunStatus;
  readonly steps: Readonly<Record<string, StepStatus>>;
  readonly cursor: number;
  /** The failure that sent the run to an on-failure step; the run ends failed after the rescue. */
  readonly rescuing?: { stepId: string; error: string };
  readonly continuedFailures: readonly string[];
  readonly confirmedDestructive: readonly string[];
  /** Live cluster status, for `${{ cluster.* }}`; not journaled (decisions taken on it are). */
  readonly cluster: unknown;
}

export type OutputStream = 'stdout' | 'stderr' | 'info';

/** What happened. Every event but cluster-updated is a journal record. */
export type RunEvent =
  | { type: 'run-started'; meta: RunMeta; runbookTitle: string }
  | { type: 'precondition-checked'; index: number; ok: boolean; message: string; detail?: string }
  | {
      type: 'step-started';
      stepId: string;
      attempt: number;
      with: unknown;
      /** The step's action stops or starts the whole cluster (see pending-stop.ts). */
      cluster?: 'stops' | 'starts';
      /** The step's action makes or removes resources that outlive the run (see residue.ts). */
      residue?: 'creates' | 'removes';
    }
  | { type: 'step-process'; stepId: string; pid: number }
  | { type: 'step-output'; stepId: string; stream: OutputStream; lines: string[] }
  | { type: 'step-awaiting-human'; stepId: string; prompt: HumanPrompt }
  | { type: 'human-answered'; stepId: string; by: string; answer: unknown }
  | { type: 'destructive-confirmed'; stepId: string; by: string }
  | { type: 'step-succeeded'; stepId: string; outputs: Record<string, unknown> }
  | { type: 'step-failed'; stepId: string; attempt: number; error: string; aborted?: boolean }
  | { type: 'step-skipped'; stepId: string; reason: string }
  | { type: 'step-planned'; stepId: string; with: unknown; would: string }
  | { type: 'run-resumed'; by: string }
  | {
      type: 'step-probed';
      stepId: string;
      tookEffect: boolean;
      outputs?: Record<string, unknown>;
      detail: string;
    }
  | { type: 'abort-requested'; reason: string; by: string }
  | { type: 'run-suspended'; stepId: string; reason: string }
  /** After an abort: the removing step's action ran outside the run, and how it went. */
  | { type: 'residue-removed'; stepId: string; ok: boolean; detail: string }
  | { type: 'run-finished'; outcome: RunOutcome }
  | { type: 'cluster-updated'; cluster: unknown };

export function initialState(runbook: Runbook, meta: RunMeta, profile?: Profile): RunState {
  return {
    meta,
    runbook,
    ...(profile ? { profile } : {}),
    status: { kind: 'created' },
    steps: Object.fromEntries(runbook.steps.map((s) => [s.id, { kind: 'pending' }])),
    cursor: 0,
    continuedFailures: [],
    confirmedDestructive: [],
    cluster: {},
  };
}

export function isTerminal(s: StepStatus): boolean {
  switch (s.kind) {
    case 'succeeded':
    case 'failed':
    case 'skipped':
    case 'planned':
      return true;
    case 'pending':
    case 'running':
    case 'awaiting-human':
    case 'retry-wait':
      return false;
  }
}

export function exitCodeOf(outcome: RunOutcome): number {
  switch (outcome.kind) {
    case 'succeeded':
    case 'planned':
      return 0;
    case 'failed':
      return 1;
    case 'aborted':
      return 3;
    case 'precondition-failed':
      return 4;
  }
}

export function stepIndex(state: RunState, stepId: string): number {
  return state.runbook.steps.findIndex((s) => s.id === stepId);
}
