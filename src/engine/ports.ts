import type { ResidueLeft } from './residue.js';
import type { AwsPort } from './aws.js';
import type { CredentialsPort } from './operator-token.js';
import type { RecoveryPort } from './recovery.js';
import type { HumanAnswer, HumanPrompt } from './human.js';
import type { ImagePort } from './image.js';
import type { ClusterStop } from './pending-stop.js';
import type { VaultPort } from './vault.js';
import type { Secret } from '../domain/secret.js';

/** Ports: the only way the engine reaches the world. Adapters implement them. */
export interface ProcessResult {
  readonly exitCode: number;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProcessRunOptions {
  readonly signal: AbortSignal;
  /** Secrets stay `Secret` until the adapter hands them to the child (engine code never reveals). */
  readonly env?: Readonly<Record<string, string | Secret>>;
  /** Inherited variables the child must not see (e.g. VAULT_SKIP_VERIFY from the operator's shell). */
  readonly unset?: readonly string[];
  readonly cwd?: string;
  readonly shell?: string;
  readonly onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  readonly onSpawn?: (pid: number) => void;
}

export interface ProcessPort {
  /** Runs a shell command in its own process group; an abort kills the whole group. */
  run(command: string, opts: ProcessRunOptions): Promise<ProcessResult>;
  /**
   * Stops what an interrupted run left running: the recorded process group, and any process
   * whose environment carries the run's id. Returns the process groups it stopped.
   */
  killStale(pid: number | undefined, runId: string): Promise<number[]>;
}

export interface ClockPort {
  now(): Date;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** What taking a copied secret back from the clipboard did: said as it is, never assumed. */
export type ClipboardClear =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'cleared' }
  /** Someone copied something else since: that is theirs, and it is left alone. */
  | { readonly kind: 'changed' }
  | { readonly kind: 'failed'; readonly error: string };

export interface ClipboardPort {
  /** Copies a secret and clears it after `clearAfterMs` unless it changed meanwhile. */
  copy(secret: Secret, clearAfterMs: number): Promise<void>;
  /** Takes back what `copy` put there now, only if the clipboard still holds exactly that. */
  clear(): Promise<ClipboardClear>;
}

/** Files a step reads or hands over (PGP public keys, encrypted shares). */
export interface FilesPort {
  read(path: string, signal: AbortSignal): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /**
   * Writes a new file only its owner can read (directories are created 0700), atomically: the
   * final name holds the whole file or nothing, even after a crash. Refuses to overwrite, so a
   * second ceremony can never replace the shares of the first.
   */
  writeNew(path: string, data: string | Uint8Array, signal: AbortSignal): Promise<string>;
}

/** Asks a person. Rejects with HumanWaitingError when nobody can answer (headless). */
export interface HumanPort {
  ask(stepId: string, prompt: HumanPrompt, signal: AbortSignal): Promise<HumanAnswer>;
}

/** An earlier run, as its journal tells it (nothing secret: journals never hold secrets). */
export interface PastRun {
  readonly runId: string;
  /** The runbook's id (`bootstrap-ceremony`), from the run id. */
  readonly runbookId: string;
  readonly profileName?: string;
  /** succeeded, failed, aborted, interrupted, running?, waiting at <step>… */
  readonly status: string;
  /** Steps that succeeded, in order. */
  readonly succeeded: readonly string[];
  readonly profileFile?: string;
  /** The stop this run's own records leave standing (see pending-stop.ts), finished or not. */
  readonly clusterStopped?: ClusterStop;
  /** The quarantine this run's records leave standing (see residue.ts), finished or not. */
  readonly residueLeft?: ResidueLeft;
  /** When a step of this run that starts the cluster last succeeded. */
  readonly clusterStartedAt?: string;
  /** The run's final outcome (`aborted`, `failed`…), when it has one. */
  readonly finished?: string;
  /** The live process that holds the run's lock: the run is going on now. */
  readonly lockPid?: number;
  /** An `ack-stop` run: the run whose stop the operator acknowledged. */
  readonly acknowledges?: string;
  /** When its first record was written. */
  readonly startedAt?: string;
}

/** The journals of earlier runs, read-only: what a check may point a person to. */
export interface JournalsPort {
  runs(): readonly PastRun[];
}

export interface Ports {
  readonly process: ProcessPort;
  readonly clock: ClockPort;
  readonly human: HumanPort;
  readonly clipboard?: ClipboardPort;
  readonly files?: FilesPort;
  /** Present when a profile (or VAULT_ADDR) names a cluster. */
  readonly vault?: VaultPort;
  readonly aws?: AwsPort;
  readonly journals?: JournalsPort;
  /** The operator's own Vault token (VAULT_TOKEN, ~/.vault-token, or typed once). */
  readonly credentials?: CredentialsPort;
  /** An isolated recovery Vault for an S3 quarantine (the sandbox has one). */
  readonly recovery?: RecoveryPort;
  /** Builds the Vault image an upgrade rolls out (packer, or the sandbox's moto AMI). */
  readonly image?: ImagePort;
}
