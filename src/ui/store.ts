import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HumanAnswer, HumanPrompt } from '../engine/human.js';
import type { RunResult } from '../engine/interpreter.js';
import type { OutputStream, RunStatus, StepStatus } from '../engine/state.js';

export interface StepView {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly status: StepStatus['kind'];
  /** Error, skip reason or dry-run plan, already redacted. */
  readonly detail: string;
  readonly attempt: number;
  readonly durationMs: number;
  readonly human: boolean;
  readonly destructive: boolean;
  /** What aborting during this step costs (the runbook's `abort-warning`). */
  readonly abortWarning?: string;
}

export interface OutputLine {
  readonly stream: OutputStream;
  readonly text: string;
}

export interface PromptView {
  readonly seq: number;
  readonly stepId: string;
  readonly prompt: HumanPrompt;
}

export interface RunView {
  readonly runId: string;
  readonly title: string;
  readonly description: string;
  readonly journalPath?: string;
  readonly dryRun: boolean;
  readonly steps: readonly StepView[];
  readonly currentStepId?: string;
  readonly output: Readonly<Record<string, readonly OutputLine[]>>;
  readonly status: RunStatus['kind'];
  readonly result?: RunResult;
  /** The journal's last hash when the run stopped: what seals it (shown on the end screen). */
  readonly journalHash?: string;
  /** Whether that hash reached Vault's audit log, said as it happened. */
  readonly auditSeal?: string;
}

/** One node as the status pane shows it; filled by the sandbox/status poller (a later issue). */
export interface NodeView {
  readonly name: string;
  readonly instanceId?: string;
  readonly az?: string;
  readonly ami?: string;
  readonly version?: string;
  readonly initialized?: boolean;
  readonly sealed?: boolean;
  readonly progress?: { t: number; n: number; nonce?: string };
  readonly role?: 'active' | 'standby' | 'perf-standby' | 'dr-secondary' | 'unknown';
  readonly healthCode?: number;
  readonly reachable: boolean;
  readonly error?: string;
}

export interface RegionView {
  readonly name: string;
  readonly asg?: { desired: number; inService: number };
  readonly replicationLagSeconds?: number;
  /** The lag is a lower bound: the listing stopped at its cap. */
  readonly replicationLagCapped?: boolean;
  readonly haLockHolder?: string;
}

/** What a two-region profile adds: the DR nodes, where DNS points, replication. */
export interface DrView {
  readonly nodes: readonly NodeView[];
  readonly dns?: {
    readonly record: string;
    readonly values: readonly string[];
    /** The load balancer the record names: the profile's primary_value, dr_value, or neither. */
    readonly target: 'primary' | 'dr' | 'other';
    readonly error?: string;
  };
  readonly replication?: {
    readonly lagSeconds: number;
    readonly pendingObjects: number;
    /** Set when the listing stopped at this many keys: the counts are lower bounds. */
    readonly cappedAt?: number;
    readonly error?: string;
  };
  /** The primary's ASG still wanting instances while DNS names DR (a fence left undone). */
  readonly primaryAsgWhileDr?: { readonly asg: string; readonly desired: number };
}

export interface ClusterView {
  readonly profile: string;
  readonly updatedAt: string;
  readonly nodes: readonly NodeView[];
  readonly regions: readonly RegionView[];
  /** Only when the profile has a DR region. */
  readonly dr?: DrView;
}

export interface RunbookListItem {
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

export interface ErrorView {
  readonly message: string;
  readonly nextSteps: readonly string[];
}

export interface UiState {
  readonly screen: 'home' | 'run';
  readonly runbooks: readonly RunbookListItem[];
  readonly profileName?: string;
  readonly cluster?: ClusterView;
  readonly run?: RunView;
  readonly prompt?: PromptView;
  readonly error?: ErrorView;
  readonly confirmingAbort: boolean;
  /** Unfinished runs that left the cluster stopped: a red banner on the home screen. */
  readonly warnings?: readonly string[];
}

/**
 * What the components may do. They send intents; the controller turns them into engine
 * events. No secret is ever stored here: a secret answer travels straight to the engine.
 */
export interface UiActions {
  startRun(runbookId: string): void;
  answer(seq: number, answer: HumanAnswer): void;
  requestAbort(): void;
  cancelAbort(): void;
  confirmAbort(): void;
  goHome(): void;
  quit(): void;
}

export type UiStore = StoreApi<UiState & { actions: UiActions }>;

const noop = (): void => undefined;

export const nullActions: UiActions = {
  startRun: noop,
  answer: noop,
  requestAbort: noop,
  cancelAbort: noop,
  confirmAbort: noop,
  goHome: noop,
  quit: noop,
};

export function createUiStore(
  initial: Partial<UiState> = {},
  actions: UiActions = nullActions,
): UiStore {
  return createStore<UiState & { actions: UiActions }>()(() => ({
    screen: 'home',
    runbooks: [],
    confirmingAbort: false,
    ...initial,
    actions,
  }));
}
