import { errorMessage, VrError } from '../domain/errors.js';
import { stripControls, stripControlsDeep } from '../domain/sanitize.js';
import type { HumanAnswer, HumanPrompt } from '../engine/human.js';
import type { RunObserver, RunResult } from '../engine/interpreter.js';
import type { HumanPort } from '../engine/ports.js';
import type { RunEvent, RunState, StepStatus } from '../engine/state.js';
import { describeAuditSeal } from '../engine/journal-seal.js';
import type { RunSession } from '../app/session.js';
import type { ClusterStatus } from '../domain/cluster.js';
import { toClusterView } from './cluster-view.js';
import {
  createUiStore,
  type OutputLine,
  type RunView,
  type StepView,
  type UiActions,
  type UiState,
  type UiStore,
} from './store.js';

const MAX_LINES_PER_STEP = 500;

function detailOf(s: StepStatus): string {
  switch (s.kind) {
    case 'failed':
    case 'retry-wait':
      return s.error;
    case 'skipped':
      return s.reason;
    case 'planned':
      return s.would;
    case 'awaiting-human':
      return s.prompt.message.split('\n')[0] ?? '';
    case 'pending':
    case 'running':
    case 'succeeded':
      return '';
  }
}

export function stepViews(state: RunState, humanIds: ReadonlySet<string>): StepView[] {
  return state.runbook.steps.map((step) => {
    const st = state.steps[step.id] ?? { kind: 'pending' };
    return {
      id: step.id,
      title: step.title ?? step.id,
      description: step.description ?? '',
      status: st.kind,
      // Plans and prompts carry values from outside (inputs, Vault): no escape reaches the screen.
      detail: stripControls(detailOf(st)),
      attempt: 'attempt' in st ? st.attempt : 0,
      durationMs: 'durationMs' in st ? st.durationMs : 0,
      human: humanIds.has(step.uses ?? ''),
      destructive: step.destructive === true,
      ...(step['abort-warning'] ? { abortWarning: step['abort-warning'] } : {}),
    };
  });
}

export interface ControllerOptions {
  readonly runbooks: UiState['runbooks'];
  readonly profileName?: string;
  /** Builds a session for a runbook id; the controller is its HumanPort and observer. */
  readonly open: (
    runbookId: string,
    ui: { human: HumanPort; observer: RunObserver },
  ) => RunSession | Promise<RunSession>;
  readonly humanActionIds: ReadonlySet<string>;
  readonly onQuit: (result?: RunResult) => void;
}

/**
 * Binds one run to the store: engine events become view state, UI intents become engine calls,
 * and the pending human prompt's resolver lives here — never in the store.
 */
export class UiController implements HumanPort, RunObserver {
  readonly store: UiStore;
  #session: RunSession | undefined;
  #seq = 0;
  #pending:
    { seq: number; resolve: (a: HumanAnswer) => void; reject: (e: Error) => void } | undefined;
  readonly #opts: ControllerOptions;

  constructor(opts: ControllerOptions) {
    this.#opts = opts;
    const actions: UiActions = {
      // startRun already shows a failure in the error panel; nothing is left to handle here.
      startRun: (id) => void this.startRun(id).catch(() => undefined),
      answer: (seq, a) => this.#answer(seq, a),
      requestAbort: () => this.store.setState({ confirmingAbort: true }),
      cancelAbort: () => this.store.setState({ confirmingAbort: false }),
      confirmAbort: () => {
        this.store.setState({ confirmingAbort: false });
        if (this.store.getState().run?.result) this.#opts.onQuit(this.store.getState().run?.result);
        else this.#session?.interpreter.abort('operator pressed Ctrl-C');
      },
      goHome: () => {
        if (this.store.getState().run?.result || !this.#session)
          this.store.setState({ screen: 'home', run: undefined, prompt: undefined });
      },
      quit: () => {
        const run = this.store.getState().run;
        if (run && !run.result) this.store.setState({ confirmingAbort: true });
        else this.#opts.onQuit(run?.result);
      },
    };
    this.store = createUiStore(
      { runbooks: opts.runbooks, ...(opts.profileName ? { profileName: opts.profileName } : {}) },
      actions,
    );
  }

  /** Starts a run and shows it; resolves with its result. */
  async startRun(runbookId: string): Promise<RunResult | undefined> {
    let session: RunSession;
    try {
      session = await this.#opts.open(runbookId, { human: this, observer: this });
    } catch (err) {
      this.showError(err);
      return undefined;
    }
    return this.attach(session);
  }

  attach(session: RunSession): Promise<RunResult> {
    this.#session = session;
    const st = session.interpreter.state;
    const run: RunView = {
      runId: session.runId,
      title: session.runbook.title,
      description: session.runbook.description ?? '',
      ...(session.journalPath ? { journalPath: session.journalPath } : {}),
      dryRun: st.meta.dryRun,
      steps: stepViews(st, this.#opts.humanActionIds),
      output: {},
      status: st.status.kind,
    };
    this.store.setState({ screen: 'run', run, error: undefined, prompt: undefined });
    return session.go().then(
      (result) => {
        const head = session.journalHead();
        session.close();
        this.#patchRun({
          result: stripControlsDeep(result),
          ...(head ? { journalHash: head.hash } : {}),
        });
        // A finished run leaves its final hash in Vault's audit log (when a step used an
        // operator token): shown on the end screen once Vault answered or the deadline passed.
        // sealInAuditLog never rejects: every outcome is an AuditSeal.
        if (head && result.kind !== 'suspended')
          void session
            .sealInAuditLog(head.hash, AbortSignal.timeout(10_000))
            .then((seal) => this.#patchRun({ auditSeal: stripControls(describeAuditSeal(seal)) }));
        return result;
      },
      (err: unknown) => {
        session.close();
        this.showError(err);
        throw err;
      },
    );
  }

  /** A new cluster snapshot: shown in the status pane and readable as `${{ cluster.* }}`. */
  updateCluster(status: ClusterStatus): void {
    this.store.setState({ cluster: toClusterView(status) });
    this.#session?.interpreter.updateCluster(status);
  }

  showError(err: unknown): void {
    this.store.setState({
      error: {
        message: stripControls(errorMessage(err)),
        nextSteps: err instanceof VrError ? err.nextSteps.map(stripControls) : [],
      },
    });
  }

  #patchRun(patch: Partial<RunView>): void {
    const run = this.store.getState().run;
    if (run) this.store.setState({ run: { ...run, ...patch } });
  }

  onEvent(event: RunEvent, state: RunState): void {
    const run = this.store.getState().run;
    if (!run) return;
    const steps = stepViews(state, this.#opts.humanActionIds);
    const current = steps.find(
      (s) => s.status === 'running' || s.status === 'awaiting-human' || s.status === 'retry-wait',
    )?.id;
    let output = run.output;
    if (event.type === 'step-output') {
      const prev = output[event.stepId] ?? [];
      const added: OutputLine[] = event.lines.map((text) => ({ stream: event.stream, text }));
      output = { ...output, [event.stepId]: [...prev, ...added].slice(-MAX_LINES_PER_STEP) };
    }
    if (
      event.type === 'human-answered' ||
      event.type === 'run-finished' ||
      event.type === 'abort-requested'
    )
      this.store.setState({ prompt: undefined });
    this.#patchRun({
      steps,
      output,
      status: state.status.kind,
      ...(current ? { currentStepId: current } : {}),
    });
  }

  ask(stepId: string, prompt: HumanPrompt, signal: AbortSignal): Promise<HumanAnswer> {
    this.#pending?.reject(new Error('superseded by a newer prompt'));
    const seq = ++this.#seq;
    // A prompt reaches the store straight from the action, not through the journaled events.
    this.store.setState({ prompt: { seq, stepId, prompt: stripControlsDeep(prompt) } });
    return new Promise<HumanAnswer>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.#pending?.seq === seq) this.#pending = undefined;
        this.store.setState({ prompt: undefined });
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending = {
        seq,
        resolve: (a) => {
          signal.removeEventListener('abort', onAbort);
          resolve(a);
        },
        reject,
      };
    });
  }

  #answer(seq: number, answer: HumanAnswer): void {
    const p = this.#pending;
    if (!p || p.seq !== seq) return;
    this.#pending = undefined;
    this.store.setState({ prompt: undefined });
    p.resolve(answer);
  }
}
