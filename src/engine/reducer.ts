import { parseDuration } from '../domain/duration.js';
import { errorMessage } from '../domain/errors.js';
import {
  evaluateCondition,
  renderDeep,
  type EvalOptions,
  type ExprContext,
} from '../domain/expr.js';
import type { Step } from '../domain/schema.js';
import { isShellStep, resolveShellInput } from './shell-input.js';
import {
  initialState,
  stepIndex,
  type RunEvent,
  type RunOutcome,
  type RunState,
  type StepStatus,
} from './state.js';

/** What the interpreter should do next. Effects are requests; their results come back as events. */
export type Effect =
  | { type: 'emit'; event: RunEvent }
  | { type: 'check-precondition'; index: number }
  | { type: 'confirm-destructive'; stepId: string }
  | { type: 'start-step'; stepId: string; attempt: number; with: unknown; timeoutMs?: number }
  | { type: 'plan-step'; stepId: string; with: unknown }
  | {
      type: 'schedule-retry';
      stepId: string;
      delayMs: number;
      attempt: number;
      with: unknown;
      timeoutMs?: number;
    }
  | { type: 'probe'; stepId: string; attempt: number; with: unknown; pid?: number }
  | { type: 'cancel-step'; stepId: string }
  | { type: 'finished'; outcome: RunOutcome };

export function expressionContext(state: RunState): ExprContext {
  const steps: Record<string, unknown> = {};
  for (const s of state.runbook.steps) {
    const st = state.steps[s.id];
    steps[s.id] = {
      status: st?.kind ?? 'pending',
      outputs: st?.kind === 'succeeded' ? st.outputs : {},
    };
  }
  return {
    inputs: state.meta.inputs,
    profile: state.profile ?? {},
    cluster: state.cluster ?? {},
    steps,
    run: { id: state.meta.runId, dry_run: state.meta.dryRun },
  };
}

function setStep(state: RunState, stepId: string, status: StepStatus): RunState {
  return { ...state, steps: { ...state.steps, [stepId]: status } };
}

function elapsed(status: StepStatus | undefined, at: string): number {
  if (status && (status.kind === 'running' || status.kind === 'awaiting-human'))
    return Math.max(0, Date.parse(at) - Date.parse(status.startedAt));
  return 0;
}

function attemptsOf(step: Step | undefined): number {
  return step?.retry?.attempts ?? 1;
}

/**
 * Folds one event into the state. Pure and decision-free: replaying a journal through apply()
 * rebuilds exactly the state the run had, because every decision was itself journaled.
 */
export function apply(
  state: RunState,
  event: RunEvent,
  at: string = new Date(0).toISOString(),
): RunState {
  switch (event.type) {
    case 'run-started':
      return { ...state, status: { kind: 'running' } };
    case 'precondition-checked':
      return { ...state, status: { kind: 'checking-preconditions', index: event.index + 1 } };
    case 'step-started':
      return setStep(state, event.stepId, {
        kind: 'running',
        attempt: event.attempt,
        startedAt: at,
      });
    case 'step-process': {
      const cur = state.steps[event.stepId];
      return cur && (cur.kind === 'running' || cur.kind === 'awaiting-human')
        ? setStep(state, event.stepId, { ...cur, pid: event.pid })
        : state;
    }
    case 'step-output':
    case 'residue-removed':
    case 'cluster-updated':
      return event.type === 'cluster-updated' ? { ...state, cluster: event.cluster } : state;
    case 'step-awaiting-human': {
      const cur = state.steps[event.stepId];
      // A destructive confirmation asks before the step starts: answering it returns to pending.
      if (cur?.kind === 'pending')
        return setStep(state, event.stepId, {
          kind: 'awaiting-human',
          attempt: 0,
          startedAt: at,
          prompt: event.prompt,
          phase: 'confirm',
        });
      const base =
        cur && (cur.kind === 'running' || cur.kind === 'awaiting-human')
          ? cur
          : { attempt: 1, startedAt: at };
      return setStep(state, event.stepId, {
        kind: 'awaiting-human',
        attempt: base.attempt,
        startedAt: base.startedAt,
        prompt: event.prompt,
        phase: 'action',
      });
    }
    case 'human-answered': {
      const cur = state.steps[event.stepId];
      if (cur?.kind !== 'awaiting-human') return state;
      if (cur.phase === 'confirm') return setStep(state, event.stepId, { kind: 'pending' });
      return setStep(state, event.stepId, {
        kind: 'running',
        attempt: cur.attempt,
        startedAt: cur.startedAt,
      });
    }
    case 'destructive-confirmed':
      return { ...state, confirmedDestructive: [...state.confirmedDestructive, event.stepId] };
    case 'step-succeeded': {
      const cur = state.steps[event.stepId];
      const attempt = cur && 'attempt' in cur ? cur.attempt : 1;
      const next = setStep(state, event.stepId, {
        kind: 'succeeded',
        attempt,
        outputs: event.outputs,
        durationMs: elapsed(cur, at),
      });
      // A step re-run on resume (recheck-on-resume) lies behind the cursor: the cursor stays.
      return { ...next, cursor: Math.max(state.cursor, stepIndex(state, event.stepId) + 1) };
    }
    case 'step-failed': {
      const cur = state.steps[event.stepId];
      const step = state.runbook.steps[stepIndex(state, event.stepId)];
      const aborting = state.status.kind === 'aborting' || event.aborted === true;
      if (!aborting && event.attempt < attemptsOf(step))
        return setStep(state, event.stepId, {
          kind: 'retry-wait',
          attempt: event.attempt,
          error: event.error,
        });
      const failed = setStep(state, event.stepId, {
        kind: 'failed',
        attempt: event.attempt,
        error: event.error,
        durationMs: elapsed(cur, at),
      });
      if (aborting) return failed;
      const policy = step?.['on-failure'] ?? 'abort';
      const idx = stepIndex(state, event.stepId);
      if (policy === 'continue')
        return {
          ...failed,
          cursor: idx + 1,
          continuedFailures: [...state.continuedFailures, event.stepId],
        };
      if (policy === 'abort') return failed;
      return {
        ...failed,
        cursor: stepIndex(state, policy),
        rescuing: state.rescuing ?? { stepId: event.stepId, error: event.error },
      };
    }
    case 'step-skipped':
      return {
        ...setStep(state, event.stepId, { kind: 'skipped', reason: event.reason }),
        cursor: stepIndex(state, event.stepId) + 1,
      };
    case 'step-planned':
      return {
        ...setStep(state, event.stepId, { kind: 'planned', would: event.would, with: event.with }),
        cursor: stepIndex(state, event.stepId) + 1,
      };
    case 'run-resumed':
      return { ...state, status: { kind: 'running' } };
    case 'step-probed': {
      if (!event.tookEffect) return state;
      const cur = state.steps[event.stepId];
      const attempt = cur && 'attempt' in cur ? cur.attempt : 1;
      return {
        ...setStep(state, event.stepId, {
          kind: 'succeeded',
          attempt,
          outputs: event.outputs ?? {},
          durationMs: elapsed(cur, at),
        }),
        cursor: stepIndex(state, event.stepId) + 1,
      };
    }
    case 'abort-requested':
      return state.status.kind === 'finished'
        ? state
        : { ...state, status: { kind: 'aborting', reason: event.reason } };
    case 'run-suspended':
      return {
        ...state,
        status: { kind: 'suspended', stepId: event.stepId, reason: event.reason },
      };
    case 'run-finished':
      return { ...state, status: { kind: 'finished', outcome: event.outcome } };
  }
}

/** The step something is executing for (a destructive confirmation is not execution). */
function activeStep(state: RunState): string | undefined {
  return state.runbook.steps.find((s) => {
    const st = state.steps[s.id];
    return (
      st?.kind === 'running' ||
      (st?.kind === 'awaiting-human' && st.phase === 'action') ||
      st?.kind === 'retry-wait'
    );
  })?.id;
}

function confirmingStep(state: RunState): string | undefined {
  return state.runbook.steps.find((s) => {
    const st = state.steps[s.id];
    return st?.kind === 'awaiting-human' && st.phase === 'confirm';
  })?.id;
}

function finish(outcome: RunOutcome): Effect[] {
  return [{ type: 'emit', event: { type: 'run-finished', outcome } }];
}

function timeoutOf(step: Step): number | undefined {
  return step.timeout === undefined ? undefined : parseDuration(step.timeout);
}

/**
 * A step the run already passed that must run again before the interrupted one: it has
 * `recheck-on-resume`, and its `if:` — false when the run passed it, or true and since made
 * moot by what the process lost (secret outputs are never journaled) — is true now.
 */
function recheckStep(state: RunState): Step | undefined {
  const active = activeStep(state);
  const upTo = active ? stepIndex(state, active) : state.cursor;
  if (upTo >= state.runbook.steps.length || state.meta.dryRun) return undefined;
  const ctx = expressionContext(state);
  return state.runbook.steps.slice(0, upTo).find((s) => {
    const st = state.steps[s.id];
    if (!s['recheck-on-resume'] || s.if === undefined) return false;
    if (st?.kind !== 'skipped' && st?.kind !== 'succeeded') return false;
    try {
      return evaluateCondition(s.if, ctx);
    } catch {
      return false;
    }
  });
}

function rerun(state: RunState, step: Step): Effect {
  const st = state.steps[step.id];
  const timeoutMs = timeoutOf(step);
  return {
    type: 'start-step',
    stepId: step.id,
    attempt: (st && 'attempt' in st ? st.attempt : 0) + 1,
    with: safeRender(step, state),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

/** On resume, or after a re-run step: probe the interrupted step, or go on from the cursor. */
function continueInterrupted(state: RunState): Effect[] {
  const active = activeStep(state);
  if (active) {
    const st = state.steps[active];
    const step = state.runbook.steps[stepIndex(state, active)];
    if (st?.kind === 'retry-wait' && step) return [retry(state, step, st.attempt)];
    if (st && (st.kind === 'running' || st.kind === 'awaiting-human') && step)
      return [
        {
          type: 'probe',
          stepId: active,
          attempt: st.attempt,
          with: safeRender(step, state),
          ...(st.pid ? { pid: st.pid } : {}),
        },
      ];
  }
  const prev = state.runbook.steps[state.cursor - 1];
  if (prev && state.steps[prev.id]?.kind === 'failed') return afterFailure(state, prev.id);
  return advance(state);
}

/** The next thing to do once nothing is in flight: a skip, a confirmation, a step, or the end. */
export function advance(state: RunState): Effect[] {
  if (state.status.kind === 'aborting')
    return finish({ kind: 'aborted', reason: state.status.reason });
  const step = state.runbook.steps[state.cursor];
  if (!step) {
    if (state.meta.dryRun) return finish({ kind: 'planned' });
    if (state.rescuing)
      return finish({ kind: 'failed', stepId: state.rescuing.stepId, error: state.rescuing.error });
    return finish({ kind: 'succeeded', failedButContinued: [...state.continuedFailures] });
  }
  const ctx = expressionContext(state);
  const symbolic = state.meta.dryRun;
  if (step.if !== undefined) {
    let run: boolean;
    try {
      run = evaluateCondition(step.if, ctx, { symbolic });
    } catch (err) {
      return [
        {
          type: 'emit',
          event: {
            type: 'step-failed',
            stepId: step.id,
            attempt: 1,
            error: `if: ${errorMessage(err)}`,
          },
        },
      ];
    }
    if (!run)
      return [
        {
          type: 'emit',
          event: { type: 'step-skipped', stepId: step.id, reason: `if: ${step.if} was false` },
        },
      ];
  }
  let resolved: unknown;
  try {
    resolved = resolveStepInput(step, ctx, { symbolic });
  } catch (err) {
    return [
      {
        type: 'emit',
        event: {
          type: 'step-failed',
          stepId: step.id,
          attempt: 1,
          error: `with: ${errorMessage(err)}`,
        },
      },
    ];
  }
  if (state.meta.dryRun) return [{ type: 'plan-step', stepId: step.id, with: resolved }];
  if (step.destructive && !state.confirmedDestructive.includes(step.id))
    return [{ type: 'confirm-destructive', stepId: step.id }];
  const timeoutMs = timeoutOf(step);
  return [
    {
      type: 'start-step',
      stepId: step.id,
      attempt: 1,
      with: resolved,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
  ];
}

function retry(state: RunState, step: Step, failedAttempt: number): Effect {
  const delay = step.retry?.delay;
  const timeoutMs = timeoutOf(step);
  return {
    type: 'schedule-retry',
    stepId: step.id,
    delayMs: delay === undefined ? 0 : parseDuration(delay),
    attempt: failedAttempt + 1,
    with: safeRender(step, state),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

function afterFailure(state: RunState, stepId: string): Effect[] {
  const st = state.steps[stepId];
  const step = state.runbook.steps[stepIndex(state, stepId)];
  if (state.status.kind === 'aborting')
    return finish({ kind: 'aborted', reason: state.status.reason });
  if (st?.kind === 'retry-wait' && step) return [retry(state, step, st.attempt)];
  if (st?.kind !== 'failed') return [];
  const policy = step?.['on-failure'] ?? 'abort';
  if (policy === 'abort') return finish({ kind: 'failed', stepId, error: st.error });
  return advance(state);
}

function nextPrecondition(state: RunState, index: number): Effect[] {
  if (index < (state.runbook.preconditions?.length ?? 0))
    return [{ type: 'check-precondition', index }];
  return advance(state);
}

/**
 * The engine's one decision function: (state, event) → [state, effects]. Decisions are taken
 * on transitions, so each effect is requested exactly once however many events follow.
 */
export function reduce(state: RunState, event: RunEvent, at?: string): [RunState, Effect[]] {
  const next = apply(state, event, at);
  switch (event.type) {
    case 'run-started':
    case 'run-resumed': {
      if (event.type === 'run-resumed') {
        const confirming = confirmingStep(next);
        if (confirming) return [next, advance(setStep(next, confirming, { kind: 'pending' }))];
        const again = recheckStep(next);
        if (again) return [next, [rerun(next, again)]];
        return [next, continueInterrupted(next)];
      }
      return [next, nextPrecondition(next, 0)];
    }
    case 'precondition-checked':
      if (!event.ok) return [next, finish({ kind: 'precondition-failed', message: event.message })];
      return [next, nextPrecondition(next, event.index + 1)];
    case 'step-succeeded':
      // A re-run step (recheck-on-resume) done: back to the step the interruption left.
      return [next, activeStep(next) ? continueInterrupted(next) : advance(next)];
    case 'destructive-confirmed':
    case 'step-skipped':
    case 'step-planned':
      return [next, advance(next)];
    case 'step-failed':
      return [next, afterFailure(next, event.stepId)];
    case 'step-probed': {
      if (event.tookEffect) return [next, advance(next)];
      const st = next.steps[event.stepId];
      const step = next.runbook.steps[stepIndex(next, event.stepId)];
      if (!step) return [next, []];
      const attempt = (st && 'attempt' in st ? st.attempt : 0) + 1;
      const timeoutMs = timeoutOf(step);
      return [
        next,
        [
          {
            type: 'start-step',
            stepId: event.stepId,
            attempt,
            with: safeRender(step, next),
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          },
        ],
      ];
    }
    case 'abort-requested': {
      if (state.status.kind === 'finished') return [next, []];
      const active = activeStep(next);
      if (active && next.steps[active]?.kind !== 'retry-wait')
        return [next, [{ type: 'cancel-step', stepId: active }]];
      const confirming = confirmingStep(next);
      // Closing the confirmation prompt; the run ends here either way.
      const close: Effect[] = confirming ? [{ type: 'cancel-step', stepId: confirming }] : [];
      return [next, [...close, ...finish({ kind: 'aborted', reason: event.reason })]];
    }
    case 'run-finished':
      return [next, [{ type: 'finished', outcome: event.outcome }]];
    case 'step-started':
    case 'step-process':
    case 'step-output':
    case 'step-awaiting-human':
    case 'human-answered':
    case 'run-suspended':
    case 'residue-removed':
    case 'cluster-updated':
      return [next, []];
  }
}

/** The action's input before expressions are resolved: `with`, or for a `run:` step the
 * command, its env and probe. */
export function stepInput(step: Step): Record<string, unknown> {
  if (step.run === undefined) return step.with ?? {};
  const w = step.with ?? {};
  return {
    ...w,
    command: step.run,
    ...(step.env
      ? { env: { ...(w.env as Record<string, unknown> | undefined), ...step.env } }
      : {}),
    ...(step.probe ? { probe: step.probe } : {}),
  };
}

/**
 * The action's input with expressions resolved. A shell body's expressions become environment
 * variables, never script text (see shell-input.ts).
 */
export function resolveStepInput(step: Step, ctx: ExprContext, opts: EvalOptions = {}): unknown {
  const raw = stepInput(step);
  return isShellStep(step) ? resolveShellInput(raw, ctx, opts) : renderDeep(raw, ctx, opts);
}

/** Inputs that could not be rendered: the step fails with this, never runs on raw `${{ }}` text. */
export interface RenderFailure {
  readonly renderError: string;
}

export function isRenderFailure(v: unknown): v is RenderFailure {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { renderError?: unknown }).renderError === 'string' &&
    Object.keys(v).length === 1
  );
}

/** A retry's or a resume probe's inputs, rendered now (earlier steps' outputs may have changed). */
export function safeRender(step: Step, state: RunState): unknown {
  try {
    return resolveStepInput(step, expressionContext(state));
  } catch (err) {
    return { renderError: `the step's inputs could not be rendered: ${errorMessage(err)}` };
  }
}

/** Rebuilds a run's state from its journaled events (no effects are produced). */
export function replay(
  events: readonly { event: RunEvent; time: string }[],
  load: (meta: Extract<RunEvent, { type: 'run-started' }>) => RunState,
): RunState {
  const first = events[0]?.event;
  if (first?.type !== 'run-started') throw new Error('journal does not begin with run-started');
  let state = load(first);
  for (const { event, time } of events) state = apply(state, event, time);
  return state;
}

export { initialState };
