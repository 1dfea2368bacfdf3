import { existsSync } from 'node:fs';
import { UsageError } from '../domain/errors.js';
import { Redactor } from '../domain/secret.js';
import { Interpreter, type RunObserver, type RunResult } from '../engine/interpreter.js';
import type { ClipboardPort, HumanPort } from '../engine/ports.js';
import { initialState, replay } from '../engine/reducer.js';
import type { RunMeta, RunState } from '../engine/state.js';
import { sealInAuditLog, type AuditSeal } from '../engine/journal-seal.js';
import {
  FsJournal,
  journalPath,
  MemoryJournal,
  newRunId,
  operatorName,
} from '../adapters/journal.js';
import { journalKeyPath, loadJournalKey, type JournalKey } from '../adapters/journal-key.js';
import { runPorts } from './ports.js';
import { readUserFile } from '../adapters/user-file.js';
import { prepareRun, sha256, type NewRunRequest, type PreparedRun } from './prepare.js';
import { loadProfile } from './profiles.js';
import { parseRunbookText } from './parse-runbook.js';
import { registry } from './registry.js';

export interface SessionOptions {
  readonly human: HumanPort;
  readonly observers?: readonly RunObserver[];
  readonly clipboard?: ClipboardPort;
  readonly env?: NodeJS.ProcessEnv;
  readonly redactor?: Redactor;
}

export interface RunSession {
  readonly runId: string;
  readonly journalPath?: string;
  readonly interpreter: Interpreter;
  readonly runbook: PreparedRun['runbook'];
  readonly redactor: Redactor;
  /** Starts (or resumes) the run; resolves when it finishes or waits for a person. */
  go(): Promise<RunResult>;
  /** The journal's last record so far: its hash, shown at the end, seals the whole run. */
  journalHead(): { seq: number; hash: string } | undefined;
  /**
   * At the end of a run: writes the journal's final hash into Vault's audit log with the
   * operator token the run used, if it used one (engine/journal-seal.ts).
   */
  sealInAuditLog(hash: string, signal: AbortSignal): Promise<AuditSeal>;
  close(): void;
}

function requireJournalKey(env: NodeJS.ProcessEnv): JournalKey {
  const key = loadJournalKey(env, { create: true });
  if (!key) throw new Error(`no journal key at ${journalKeyPath(env)}`);
  return key;
}

/**
 * A new run from a prepared request (or a request, prepared here). The journal is created
 * last, after everything that can be a usage error.
 */
export function createRun(req: NewRunRequest | PreparedRun, opts: SessionOptions): RunSession {
  const env = opts.env ?? process.env;
  const p = 'runbookSha256' in req ? req : prepareRun(req, env);
  const { runbook, profile } = p;
  const runId = newRunId(runbook.id);
  const operator = operatorName(env);
  const dryRun = p.request.dryRun ?? false;
  const meta: RunMeta = {
    runId,
    runbookFile: p.runbookFile,
    runbookSha256: p.runbookSha256,
    inputs: p.inputs,
    ...(profile ? { profileName: profile.name } : {}),
    ...(p.profileFile ? { profileFile: p.profileFile } : {}),
    dryRun,
  };
  const path = dryRun ? undefined : journalPath(runId, env);
  const journal = path
    ? FsJournal.create(path, runId, { operator, key: requireJournalKey(env) })
    : new MemoryJournal();
  const redactor = opts.redactor ?? new Redactor();
  const ports = runPorts(opts.human, profile, env, opts.clipboard);
  const interpreter = new Interpreter(initialState(runbook, meta, profile), {
    registry: p.registry,
    ports,
    journal,
    redactor,
    operator,
    clusterName: profile?.name ?? runbook.id,
    observers: opts.observers ?? [],
  });
  return {
    runId,
    ...(path ? { journalPath: path } : {}),
    interpreter,
    runbook,
    redactor,
    go: () => interpreter.start(runbook.title),
    journalHead: () => (journal instanceof FsJournal ? journal.head() : undefined),
    sealInAuditLog: (hash, signal) => sealInAuditLog(ports, runId, hash, signal),
    close: () => {
      if (journal instanceof FsJournal) journal.close();
    },
  };
}

export function resumeRun(runId: string, opts: SessionOptions & { force?: boolean }): RunSession {
  const env = opts.env ?? process.env;
  const path = journalPath(runId, env);
  const operator = operatorName(env);
  const { journal, records } = FsJournal.reopen(path, { operator, key: requireJournalKey(env) });
  try {
    const first = records[0]?.event;
    if (first?.type !== 'run-started')
      throw new UsageError(`journal ${path} does not start with run-started`);
    const meta = first.meta;
    const last = records[records.length - 1]?.event;
    if (last?.type === 'run-finished')
      throw new UsageError(`run ${runId} already finished (${last.outcome.kind})`, [
        `vault-runbook journal show ${runId}`,
      ]);
    if (!existsSync(meta.runbookFile))
      throw new UsageError(`the runbook of run ${runId} is gone: ${meta.runbookFile}`);
    const reg = registry();
    // One read: the text compared with the journal's hash is the text that runs.
    const text = readUserFile(meta.runbookFile, 'runbook');
    if (sha256(text) !== meta.runbookSha256 && !opts.force)
      throw new UsageError(`runbook ${meta.runbookFile} changed since run ${runId} started`, [
        'resume with --force to continue with the changed runbook',
      ]);
    const runbook = parseRunbookText(text, meta.runbookFile, reg);
    const profile = loadProfile(meta.profileFile);
    const state: RunState = replay(
      records.map((r) => ({ event: r.event, time: r.time })),
      () => initialState(runbook, meta, profile),
    );
    const redactor = opts.redactor ?? new Redactor();
    const ports = runPorts(opts.human, profile, env, opts.clipboard);
    const interpreter = new Interpreter(state, {
      registry: reg,
      ports,
      journal,
      redactor,
      operator,
      clusterName: profile?.name ?? runbook.id,
      observers: opts.observers ?? [],
    });
    return {
      runId,
      journalPath: path,
      interpreter,
      runbook,
      redactor,
      go: () => interpreter.resume(),
      journalHead: () => journal.head(),
      sealInAuditLog: (hash, signal) => sealInAuditLog(ports, runId, hash, signal),
      close: () => journal.close(),
    };
  } catch (err) {
    journal.close();
    throw err;
  }
}
