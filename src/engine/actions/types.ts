import type { z } from 'zod';
import type { Profile } from '../../domain/schema.js';
import type { Secret } from '../../domain/secret.js';
import type { AnswerFor, HumanPrompt } from '../human.js';
import type { Ports } from '../ports.js';

export interface ActionContext<I> {
  readonly runId: string;
  readonly stepId: string;
  readonly attempt: number;
  readonly input: I;
  readonly signal: AbortSignal;
  readonly ports: Ports;
  readonly profile?: Profile;
  /** The name an operator types to confirm a destructive step. */
  readonly clusterName: string;
  readonly operator: string;
  /**
   * When this step's current attempt started, as journaled. A probe on resume sees the
   * interrupted attempt's start, not the resume's.
   */
  readonly startedAt?: string;
  /** A line of step output; it is redacted before it reaches the screen or the journal. */
  log(line: string, stream?: 'stdout' | 'stderr' | 'info'): void;
  ask<P extends HumanPrompt>(prompt: P): Promise<AnswerFor<P>>;
  /** Makes a value known to the redactor for the rest of the run. */
  registerSecret(secret: Secret): void;
  recordProcess(pid: number): void;
}

export interface ProbeResult<O> {
  readonly tookEffect: boolean;
  readonly outputs?: O;
  readonly detail: string;
}

/**
 * One built-in action (`uses:`). A Vault or AWS action is one file that exports one of these
 * and is added to the registry: input/output schema, idempotency and a probe for resume.
 */
export interface ActionDef<
  I = unknown,
  O extends Record<string, unknown> = Record<string, unknown>,
> {
  readonly id: string;
  readonly summary: string;
  readonly input: z.ZodType<I>;
  readonly output?: z.ZodType<O>;
  /** Safe to run again after an interruption without probing first. */
  readonly idempotent: boolean;
  /** A person takes part: the step shows ⏸ and headless runs need an answer. */
  readonly human: boolean;
  run(ctx: ActionContext<I>): Promise<O>;
  /** On resume: did an interrupted run of this step already take effect? */
  probe?(ctx: ActionContext<I>): Promise<ProbeResult<O>>;
  /**
   * Why this step cannot run headless with this profile, if it cannot: checked before a
   * headless run starts (exit 2), so it never stops half-way with secrets in flight. `with`
   * holds the step's inputs that resolve before the run (from inputs and the profile).
   */
  readonly headless?: (
    withValue: Record<string, unknown>,
    profile: Profile | undefined,
  ) => string | undefined;
  /** Dry-run: what the step would do with this input. */
  describe(input: I): string;
  /**
   * The action stops every Vault of the cluster, or brings it back: journaled with the step's
   * start, so a run that stopped the cluster and never finished is reported everywhere.
   */
  readonly clusterEffect?: 'stops' | 'starts';
  /**
   * The action makes resources that outlive the run (`creates`: an S3 quarantine's bucket and
   * recovery node) or removes them (`removes`). Journaled with the step's start: an abort runs
   * the removing step, and a run that ends with them left is reported everywhere (residue.ts).
   */
  readonly residue?: 'creates' | 'removes';
}

// Registries hold actions of differing input types; the input is validated at the boundary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDef<any, Record<string, unknown>>;
