import { ExitCode, VrError, errorMessage } from '../domain/errors.js';
import { evaluateCondition, renderDeep } from '../domain/expr.js';
import type { Step } from '../domain/schema.js';
import { isSecret, type Redactor, type Secret } from '../domain/secret.js';
import { resolveShell, ShellNames } from '../domain/shell-template.js';
import { OperatorDeclined } from './actions/human.js';
import type { ActionRegistry } from './actions/registry.js';
import type { ActionContext, AnyAction } from './actions/types.js';
import { summarizeAnswer, type AnswerFor, type HumanPrompt } from './human.js';
import type { Ports } from './ports.js';
import { expressionContext, isRenderFailure, reduce, safeRender, type Effect } from './reducer.js';
import {
  exitCodeOf,
  stepIndex,
  type OutputStream,
  type RunEvent,
  type RunOutcome,
  type RunState,
} from './state.js';

/** A human step is waiting and nobody here can answer it (headless without an answer). */
export class HumanWaitingError extends VrError {
  readonly stepId: string;
  constructor(stepId: string, what: string) {
    super(`step '${stepId}' waits for a person: ${what}`, ExitCode.humanWaiting, [
      `give the answer with --answers FILE (YAML: ${stepId}: <answer>) or --secrets-fd N, then: vault-runbook resume <run-id>`,
    ]);
    this.stepId = stepId;
  }
}

export class StepTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${Math.round(ms / 1000)}s`);
    this.name = 'StepTimeoutError';
  }
}

/** Synchronous and durable: an event is on disk before the engine acts on it. */
export interface JournalWriter {
  append(event: RunEvent): void;
}

export interface RunObserver {
  onEvent(event: RunEvent, state: RunState): void;
}

export type RunResult =
  | { kind: 'finished'; outcome: RunOutcome; exitCode: number }
  | { kind: 'suspended'; stepId: string; message: string; exitCode: number };

export interface InterpreterOptions {
  readonly registry: ActionRegistry;
  readonly ports: Ports;
  readonly journal: JournalWriter;
  readonly redactor: Redactor;
  readonly operator: string;
  readonly clusterName: string;
  readonly observers?: readonly RunObserver[];
  /** Output lines are batched into one journal record per step per interval. */
  readonly outputFlushMs?: number;
}

/** How long the removal after an abort may take (an instance terminating, a bucket emptied). */
const RESIDUE_REMOVAL_MS = 15 * 60_000;

/** The step's action: `run:` is shorthand for the shell action. */
export function stepAction(step: Step, registry: ActionRegistry): AnyAction | undefined {
  return registry.get(step.uses ?? 'shell');
}

export class Interpreter {
  #state: RunState;
  readonly #opts: InterpreterOptions;
  readonly #root = new AbortController();
  readonly #steps = new Map<string, AbortController>();
  readonly #queue: RunEvent[] = [];
  #dispatching = false;
  #result: RunResult | undefined;
  #settle: ((r: RunResult) => void) | undefined;
  readonly #done: Promise<RunResult>;
  readonly #pending = new Map<string, { stream: OutputStream; lines: string[] }[]>();
  #flushTimer: NodeJS.Timeout | undefined;
  #removedResidue = false;

  constructor(state: RunState, opts: InterpreterOptions) {
    this.#state = state;
    this.#opts = opts;
    this.#done = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  get state(): RunState {
    return this.#state;
  }

  start(runbookTitle: string): Promise<RunResult> {
    this.dispatch({ type: 'run-started', meta: this.#state.meta, runbookTitle });
    return this.#done;
  }

  resume(): Promise<RunResult> {
    this.dispatch({ type: 'run-resumed', by: this.#opts.operator });
    return this.#done;
  }

  abort(reason: string): void {
    if (this.#result) return;
    this.dispatch({ type: 'abort-requested', reason, by: this.#opts.operator });
    // Also wakes a retry delay or a precondition check that no step controller covers.
    this.#root.abort(new Error(reason));
  }

  updateCluster(cluster: unknown): void {
    this.dispatch({ type: 'cluster-updated', cluster });
  }

  dispatch(event: RunEvent): void {
    this.#queue.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let e = this.#queue.shift(); e; e = this.#queue.shift()) this.#process(e);
    } finally {
      this.#dispatching = false;
    }
  }

  #process(event: RunEvent): void {
    if (this.#result) return;
    // The state keeps real values (a later step may need a share); the world sees redacted ones.
    const visible = this.#opts.redactor.redactData(event) as RunEvent;
    if (event.type !== 'cluster-updated') this.#opts.journal.append(visible);
    const [next, effects] = reduce(this.#state, event, this.#opts.ports.clock.now().toISOString());
    this.#state = next;
    for (const o of this.#opts.observers ?? []) o.onEvent(visible, next);
    for (const effect of effects) this.#perform(effect);
  }

  #perform(effect: Effect): void {
    switch (effect.type) {
      case 'emit': {
        const removal = this.#residueRemoval(effect.event);
        if (removal) void this.#removeResidue(removal, effect.event);
        else this.dispatch(effect.event);
        return;
      }
      case 'check-precondition':
        void this.#checkPrecondition(effect.index);
        return;
      case 'confirm-destructive':
        void this.#confirmDestructive(effect.stepId);
        return;
      case 'start-step': {
        const action = stepAction(this.#step(effect.stepId), this.#opts.registry);
        const effectOnCluster = action?.clusterEffect;
        this.dispatch({
          type: 'step-started',
          stepId: effect.stepId,
          attempt: effect.attempt,
          with: effect.with,
          ...(effectOnCluster ? { cluster: effectOnCluster } : {}),
          ...(action?.residue ? { residue: action.residue } : {}),
        });
        // Inside the dispatch loop the event above is only queued: start the work once the loop
        // has journaled it, so a crash can never leave a side effect the journal does not show.
        queueMicrotask(
          () => void this.#execute(effect.stepId, effect.attempt, effect.with, effect.timeoutMs),
        );
        return;
      }
      case 'plan-step':
        this.#plan(effect.stepId, effect.with);
        return;
      case 'schedule-retry':
        void this.#retry(effect);
        return;
      case 'probe':
        void this.#probe(effect.stepId, effect.attempt, effect.with, effect.pid);
        return;
      case 'cancel-step':
        this.#steps.get(effect.stepId)?.abort(new Error('aborted by the operator'));
        return;
      case 'finished':
        this.#finish({
          kind: 'finished',
          outcome: effect.outcome,
          exitCode: exitCodeOf(effect.outcome),
        });
        return;
    }
  }

  /**
   * An aborted run that made resources outliving it (a `creates` step started) and did not
   * remove them (its `removes` step did not succeed): the removing step, to run before the run
   * ends. Once per run; never in a dry run.
   */
  #residueRemoval(event: RunEvent): Step | undefined {
    if (event.type !== 'run-finished' || event.outcome.kind !== 'aborted') return undefined;
    if (this.#removedResidue || this.#state.meta.dryRun) return undefined;
    const steps = this.#state.runbook.steps;
    const actionOf = (s: Step) => stepAction(s, this.#opts.registry);
    const made = steps.some((s) => {
      const st = this.#state.steps[s.id]?.kind;
      return (
        actionOf(s)?.residue === 'creates' &&
        st !== undefined &&
        st !== 'pending' &&
        st !== 'skipped' &&
        st !== 'planned'
      );
    });
    const remover = steps.find((s) => actionOf(s)?.residue === 'removes');
    if (!made || !remover || this.#state.steps[remover.id]?.kind === 'succeeded') return undefined;
    return remover;
  }

  /**
   * Runs the removing step's action outside the run (the run's own signal is aborted): with a
   * deadline of its own, its output journaled under its step, and an honest `residue-removed`
   * record before the run ends. What it could not remove stays a warning on every start.
   */
  async #removeResidue(step: Step, finished: RunEvent): Promise<void> {
    this.#removedResidue = true;
    const action = stepAction(step, this.#opts.registry)!;
    const ctl = new AbortController();
    const timer = setTimeout(
      () => ctl.abort(new Error('the removal after the abort ran out of time')),
      RESIDUE_REMOVAL_MS,
    );
    let ok = false;
    let detail: string;
    try {
      const resolved = safeRender(step, this.#state);
      if (isRenderFailure(resolved)) throw new Error(resolved.renderError);
      const parsed = action.input.safeParse(resolved);
      if (!parsed.success) throw new Error(`invalid input for ${action.id}`);
      const ctx = this.#context(step.id, 1, parsed.data, ctl.signal);
      this.#log(step.id, 'info', `the run was aborted: ${action.describe(parsed.data)}`);
      await action.run(ctx);
      ok = true;
      detail = `${step.id} ran after the abort and removed what the run had made`;
    } catch (err) {
      detail = this.#opts.redactor.redact(errorMessage(err));
    } finally {
      clearTimeout(timer);
    }
    this.#flush(step.id);
    this.dispatch({ type: 'residue-removed', stepId: step.id, ok, detail });
    this.dispatch(finished);
  }

  #finish(result: RunResult): void {
    if (this.#result) return;
    this.#result = result;
    this.#flushAll();
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#settle?.(result);
  }

  #step(stepId: string): Step {
    const step = this.#state.runbook.steps[stepIndex(this.#state, stepId)];
    if (!step) throw new Error(`unknown step ${stepId}`);
    return step;
  }

  #log(stepId: string, stream: OutputStream, line: string): void {
    const batches = this.#pending.get(stepId) ?? [];
    const last = batches[batches.length - 1];
    const redacted = this.#opts.redactor.redact(line);
    if (last && last.stream === stream) last.lines.push(redacted);
    else batches.push({ stream, lines: [redacted] });
    this.#pending.set(stepId, batches);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flushAll();
    }, this.#opts.outputFlushMs ?? 100);
  }

  #flush(stepId: string): void {
    const batches = this.#pending.get(stepId);
    this.#pending.delete(stepId);
    for (const b of batches ?? [])
      this.dispatch({ type: 'step-output', stepId, stream: b.stream, lines: b.lines });
  }

  #flushAll(): void {
    for (const id of [...this.#pending.keys()]) this.#flush(id);
  }

  #registerSecrets(v: unknown): void {
    if (isSecret(v)) this.#opts.redactor.add(v);
    else if (Array.isArray(v)) v.forEach((x) => this.#registerSecrets(x));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => this.#registerSecrets(x));
  }

  #context<I>(stepId: string, attempt: number, input: I, signal: AbortSignal): ActionContext<I> {
    const opts = this.#opts;
    const st = this.#state.steps[stepId];
    const startedAt =
      st && (st.kind === 'running' || st.kind === 'awaiting-human') ? st.startedAt : undefined;
    return {
      ...(startedAt ? { startedAt } : {}),
      runId: this.#state.meta.runId,
      stepId,
      attempt,
      input,
      signal,
      ports: opts.ports,
      ...(this.#state.profile ? { profile: this.#state.profile } : {}),
      clusterName: opts.clusterName,
      operator: opts.operator,
      log: (line, stream = 'info') => this.#log(stepId, stream, line),
      registerSecret: (s: Secret) => opts.redactor.add(s),
      recordProcess: (pid) => this.dispatch({ type: 'step-process', stepId, pid }),
      ask: async <P extends HumanPrompt>(prompt: P): Promise<AnswerFor<P>> => {
        this.#flush(stepId);
        this.dispatch({ type: 'step-awaiting-human', stepId, prompt });
        const answer = await opts.ports.human.ask(stepId, prompt, signal);
        if (answer.type !== prompt.type)
          throw new Error(`expected a ${prompt.type} answer, got ${answer.type}`);
        if (answer.type === 'secret') opts.redactor.add(answer.value);
        this.dispatch({
          type: 'human-answered',
          stepId,
          by: opts.operator,
          answer: summarizeAnswer(answer),
        });
        return answer as AnswerFor<P>;
      },
    };
  }

  #controller(stepId: string, timeoutMs?: number): { ctl: AbortController; dispose: () => void } {
    const ctl = new AbortController();
    const onRoot = (): void => ctl.abort(this.#root.signal.reason);
    this.#root.signal.addEventListener('abort', onRoot, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => ctl.abort(new StepTimeoutError(timeoutMs)), timeoutMs);
    this.#steps.set(stepId, ctl);
    return {
      ctl,
      dispose: () => {
        if (timer) clearTimeout(timer);
        this.#root.signal.removeEventListener('abort', onRoot);
        this.#steps.delete(stepId);
      },
    };
  }

  async #execute(
    stepId: string,
    attempt: number,
    resolved: unknown,
    timeoutMs?: number,
  ): Promise<void> {
    const step = this.#step(stepId);
    const action = stepAction(step, this.#opts.registry);
    const { ctl, dispose } = this.#controller(stepId, timeoutMs);
    try {
      if (!action) throw new Error(`unknown action '${step.uses ?? 'shell'}'`);
      if (isRenderFailure(resolved)) throw new Error(resolved.renderError);
      const parsed = action.input.safeParse(resolved);
      if (!parsed.success)
        throw new Error(
          `invalid input for ${action.id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const ctx = this.#context(stepId, attempt, parsed.data, ctl.signal);
      // A profile that discovers its nodes (vault.discover) sees this step's cluster, not the last one's.
      await this.#opts.ports.vault?.refresh?.(ctl.signal);
      const raceAbort = new Promise<never>((_, reject) => {
        const fail = (): void =>
          reject(ctl.signal.reason instanceof Error ? ctl.signal.reason : new Error('aborted'));
        if (ctl.signal.aborted) fail();
        ctl.signal.addEventListener('abort', fail, { once: true });
      });
      // An action that ignores its signal still cannot hold the run past a timeout or an abort.
      const result = await Promise.race([action.run(ctx), raceAbort]);
      this.#registerSecrets(result);
      const outputs = this.#mapOutputs(step, result);
      this.#flush(stepId);
      this.dispatch({ type: 'step-succeeded', stepId, outputs });
    } catch (err) {
      this.#flush(stepId);
      if (err instanceof HumanWaitingError) {
        this.dispatch({ type: 'run-suspended', stepId, reason: err.message });
        this.#finish({
          kind: 'suspended',
          stepId,
          message: err.message,
          exitCode: ExitCode.humanWaiting,
        });
        return;
      }
      if (err instanceof OperatorDeclined)
        this.dispatch({ type: 'abort-requested', reason: err.message, by: this.#opts.operator });
      const aborted = this.#state.status.kind === 'aborting';
      this.dispatch({
        type: 'step-failed',
        stepId,
        attempt,
        error: this.#opts.redactor.redact(errorMessage(err)),
        ...(aborted ? { aborted } : {}),
      });
    } finally {
      dispose();
    }
  }

  #mapOutputs(step: Step, result: Record<string, unknown>): Record<string, unknown> {
    if (!step.outputs) return result;
    const base = expressionContext(this.#state);
    const steps = {
      ...(base.steps as Record<string, unknown>),
      [step.id]: { status: 'succeeded', outputs: result },
    };
    const mapped = renderDeep(step.outputs, { ...base, steps }) as Record<string, unknown>;
    return { ...result, ...mapped };
  }

  #plan(stepId: string, resolved: unknown): void {
    const step = this.#step(stepId);
    const action = stepAction(step, this.#opts.registry);
    const input = resolved;
    const parsed = action?.input.safeParse(input);
    const would = action
      ? parsed?.success
        ? action.describe(parsed.data)
        : `${action.id} with ${JSON.stringify(input)}`
      : `unknown action ${step.uses ?? ''}`;
    this.dispatch({
      type: 'step-planned',
      stepId,
      with: resolved,
      would: `${step.destructive ? '[destructive] ' : ''}${would}`,
    });
  }

  async #retry(effect: Extract<Effect, { type: 'schedule-retry' }>): Promise<void> {
    try {
      if (effect.delayMs > 0) await this.#opts.ports.clock.sleep(effect.delayMs, this.#root.signal);
    } catch {
      // Only the run's abort ends the delay early, and abort-requested has already ended a step
      // waiting for its retry: nothing was attempted, so there is nothing to report here.
      return;
    }
    if (this.#state.status.kind === 'aborting') {
      this.dispatch({
        type: 'step-failed',
        stepId: effect.stepId,
        attempt: effect.attempt - 1,
        error: 'aborted before retry',
        aborted: true,
      });
      return;
    }
    this.#perform({
      type: 'start-step',
      stepId: effect.stepId,
      attempt: effect.attempt,
      with: effect.with,
      ...(effect.timeoutMs !== undefined ? { timeoutMs: effect.timeoutMs } : {}),
    });
  }

  async #checkPrecondition(index: number): Promise<void> {
    const pre = this.#state.runbook.preconditions?.[index];
    if (!pre) return;
    const ctx = expressionContext(this.#state);
    try {
      let ok: boolean;
      let detail = '';
      if (pre.if !== undefined) ok = evaluateCondition(pre.if, ctx);
      else if (pre.run !== undefined && this.#state.meta.dryRun) {
        // Dry-run executes nothing: a shell check is only shown. Action checks are read-only.
        ok = true;
        detail = `dry-run: would run \`${pre.run}\``;
      } else if (pre.run !== undefined) {
        // Like a step's body: expressions reach the check as environment variables only.
        const check = resolveShell(pre.run, ctx, new ShellNames());
        const r = await this.#opts.ports.process.run(check.script, {
          signal: this.#root.signal,
          env: { ...check.env, VAULT_RUNBOOK_RUN_ID: this.#state.meta.runId },
          onLine: () => undefined,
        });
        ok = r.exitCode === 0;
        detail = this.#opts.redactor.redact(
          (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | '),
        );
      } else {
        const action = this.#opts.registry.get(pre.check ?? '');
        if (!action) throw new Error(`unknown check '${pre.check ?? ''}'`);
        const input: unknown = action.input.parse(renderDeep(pre.with ?? {}, ctx));
        await this.#opts.ports.vault?.refresh?.(this.#root.signal);
        const out = await action.run(
          this.#context(`precondition-${index + 1}`, 1, input, this.#root.signal),
        );
        ok = out.ok === true;
        detail = typeof out.detail === 'string' ? out.detail : '';
      }
      this.dispatch({
        type: 'precondition-checked',
        index,
        ok,
        message: pre.message,
        ...(detail ? { detail } : {}),
      });
    } catch (err) {
      this.dispatch({
        type: 'precondition-checked',
        index,
        ok: false,
        message: pre.message,
        detail: this.#opts.redactor.redact(errorMessage(err)),
      });
    }
  }

  async #confirmDestructive(stepId: string): Promise<void> {
    const step = this.#step(stepId);
    const expect = this.#opts.clusterName;
    const { ctl, dispose } = this.#controller(stepId);
    try {
      const a = await this.#context(stepId, 1, {}, ctl.signal).ask({
        type: 'destructive',
        message: `Step '${step.title ?? step.id}' is destructive. Type the cluster name (${expect}) to go on.`,
        expect,
      });
      if (a.typed === expect)
        this.dispatch({ type: 'destructive-confirmed', stepId, by: this.#opts.operator });
      else
        this.dispatch({
          type: 'abort-requested',
          reason: `cluster name not confirmed at destructive step '${stepId}'`,
          by: this.#opts.operator,
        });
    } catch (err) {
      if (err instanceof HumanWaitingError) {
        this.dispatch({ type: 'run-suspended', stepId, reason: err.message });
        this.#finish({
          kind: 'suspended',
          stepId,
          message: err.message,
          exitCode: ExitCode.humanWaiting,
        });
      } else
        this.dispatch({
          type: 'abort-requested',
          reason: errorMessage(err),
          by: this.#opts.operator,
        });
    } finally {
      dispose();
    }
  }

  async #probe(stepId: string, attempt: number, resolved: unknown, pid?: number): Promise<void> {
    const step = this.#step(stepId);
    const action = stepAction(step, this.#opts.registry);
    const { ctl, dispose } = this.#controller(stepId);
    try {
      const killed = await this.#opts.ports.process.killStale(pid, this.#state.meta.runId);
      for (const group of killed)
        this.#log(
          stepId,
          'info',
          `stopped process group ${group} left running by the interrupted run`,
        );
      if (isRenderFailure(resolved)) {
        this.#flush(stepId);
        this.dispatch({
          type: 'step-probed',
          stepId,
          tookEffect: false,
          detail: `not probed: ${resolved.renderError}`,
        });
        return;
      }
      const parsed = action?.input.safeParse(resolved);
      if (!action || !parsed?.success || !action.probe) {
        const why = action?.idempotent || action?.human ? 'idempotent' : 'no probe';
        this.#flush(stepId);
        this.dispatch({
          type: 'step-probed',
          stepId,
          tookEffect: false,
          detail: `${why}: the step runs again`,
        });
        return;
      }
      const r = await action.probe(this.#context(stepId, attempt, parsed.data, ctl.signal));
      this.#flush(stepId);
      this.dispatch({
        type: 'step-probed',
        stepId,
        tookEffect: r.tookEffect,
        ...(r.outputs ? { outputs: r.outputs } : {}),
        detail: r.detail,
      });
    } catch (err) {
      this.#flush(stepId);
      this.dispatch({
        type: 'step-probed',
        stepId,
        tookEffect: false,
        detail: `probe failed (${errorMessage(err)}): the step runs again`,
      });
    } finally {
      dispose();
    }
  }
}
