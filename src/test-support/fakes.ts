import type { AwsPort } from '../engine/aws.js';
import type { Profile } from '../domain/schema.js';
import { Redactor } from '../domain/secret.js';
import { parseRunbook } from '../domain/load.js';
import type { Runbook } from '../domain/schema.js';
import { builtinRegistry } from '../engine/actions/builtin.js';
import type { HumanAnswer, HumanPrompt } from '../engine/human.js';
import { Interpreter, type RunResult } from '../engine/interpreter.js';
import type {
  ClipboardPort,
  ClockPort,
  FilesPort,
  HumanPort,
  ProcessPort,
  ProcessResult,
  ProcessRunOptions,
} from '../engine/ports.js';
import { initialState } from '../engine/reducer.js';
import type { RunEvent } from '../engine/state.js';
import type { VaultPort } from '../engine/vault.js';

export function runbookFrom(yaml: string): Runbook {
  const r = parseRunbook(yaml, 'test.yaml', { knownActions: builtinRegistry().ids() });
  if (!r.value)
    throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  return r.value;
}

/** What a scripted command sees: its environment in plaintext, as a real child's would be. */
export type FakeRunOptions = Omit<ProcessRunOptions, 'env'> & {
  readonly env: Readonly<Record<string, string>>;
};

/** A process port whose commands are scripted: each command maps to a handler. */
export class FakeProcess implements ProcessPort {
  readonly calls: string[] = [];
  constructor(
    readonly handler: (
      cmd: string,
      opts: FakeRunOptions,
    ) => Promise<ProcessResult> | ProcessResult = () => ({ exitCode: 0, stdout: '', stderr: '' }),
  ) {}
  async run(cmd: string, opts: ProcessRunOptions): Promise<ProcessResult> {
    this.calls.push(cmd);
    const env = Object.fromEntries(
      Object.entries(opts.env ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : v.reveal()]),
    );
    return this.handler(cmd, { ...opts, env });
  }
  killStale(): Promise<number[]> {
    return Promise.resolve([]);
  }
}

export const instantClock: ClockPort = {
  now: () => new Date('2026-01-01T00:00:00Z'),
  sleep: () => Promise.resolve(),
};

export class ScriptedAnswers implements HumanPort {
  readonly asked: { stepId: string; prompt: HumanPrompt }[] = [];
  constructor(
    readonly answer: (
      stepId: string,
      prompt: HumanPrompt,
      signal: AbortSignal,
    ) => Promise<HumanAnswer> | HumanAnswer,
  ) {}
  async ask(stepId: string, prompt: HumanPrompt, signal: AbortSignal): Promise<HumanAnswer> {
    this.asked.push({ stepId, prompt });
    return this.answer(stepId, prompt, signal);
  }
}

export function interpreterFor(
  rb: Runbook,
  opts: {
    process?: ProcessPort;
    human?: HumanPort;
    dryRun?: boolean;
    clusterName?: string;
    redactor?: Redactor;
    vault?: VaultPort;
    aws?: AwsPort;
    profile?: Profile;
    files?: FilesPort;
    clipboard?: ClipboardPort;
  } = {},
): { interpreter: Interpreter; events: RunEvent[]; run: () => Promise<RunResult> } {
  const events: RunEvent[] = [];
  const interpreter = new Interpreter(
    initialState(
      rb,
      {
        runId: 'r1',
        runbookFile: 'test.yaml',
        runbookSha256: 'x',
        inputs: {},
        dryRun: opts.dryRun ?? false,
      },
      opts.profile,
    ),
    {
      registry: builtinRegistry(),
      ports: {
        process: opts.process ?? new FakeProcess(),
        clock: instantClock,
        human:
          opts.human ??
          new ScriptedAnswers(() => Promise.reject(new Error('no human in this test'))),
        ...(opts.vault ? { vault: opts.vault } : {}),
        ...(opts.aws ? { aws: opts.aws } : {}),
        ...(opts.files ? { files: opts.files } : {}),
        ...(opts.clipboard ? { clipboard: opts.clipboard } : {}),
      },
      journal: { append: (e) => events.push(JSON.parse(JSON.stringify(e)) as RunEvent) },
      redactor: opts.redactor ?? new Redactor(),
      operator: 'tester',
      clusterName: opts.clusterName ?? 'prod',
      outputFlushMs: 1,
    },
  );
  return { interpreter, events, run: () => interpreter.start(rb.title) };
}
