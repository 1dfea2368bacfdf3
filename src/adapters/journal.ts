import { createHash, randomBytes } from 'node:crypto';
import {
  constants as fsConstants,
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../domain/errors.js';
import type { JournalWriter } from '../engine/interpreter.js';
import type { RunEvent } from '../engine/state.js';
import type { JournalKey } from './journal-key.js';
import { runsDir } from './paths.js';

export interface JournalRecord {
  readonly seq: number;
  readonly time: string;
  readonly run: string;
  readonly operator: string;
  readonly host: string;
  readonly event: RunEvent;
  readonly prev: string;
  readonly hash: string;
  /** Id of the journal key that MAC'd the record (absent in journals from before MACs). */
  readonly key?: string;
  /** HMAC-SHA256 of `hash` under that key: a chain recomputed without the key fails here. */
  readonly mac?: string;
}

const GENESIS = '0'.repeat(64);

/** JSON with sorted keys, so a record hashes the same however it was written. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

export function recordHash(r: Omit<JournalRecord, 'hash'>): string {
  const { seq, time, run, operator, host, event, prev } = r;
  return createHash('sha256')
    .update(canonical({ seq, time, run, operator, host, event, prev }))
    .digest('hex');
}

export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VAULT_RUNBOOK_OPERATOR) return env.VAULT_RUNBOOK_OPERATOR;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

export function newRunId(runbookId: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${runbookId}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export function journalPath(runId: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(runId))
    throw new UsageError(`not a run id: '${runId}'`, ['vault-runbook journal list']);
  return join(runsDir(env), `${runId}.jsonl`);
}

export interface JournalOptions {
  readonly operator: string;
  readonly key: JournalKey;
  readonly clock?: () => Date;
}

/**
 * Append-only JSONL journal of one run: each record is fsync'd before the engine acts on it,
 * chained to the previous one by SHA-256 (a changed byte anywhere breaks verification) and
 * MAC'd with the user's journal key (a file rewritten with recomputed hashes fails too).
 */
export class FsJournal implements JournalWriter {
  readonly path: string;
  readonly #fd: number;
  readonly #run: string;
  readonly #operator: string;
  readonly #host: string;
  readonly #clock: () => Date;
  readonly #key: JournalKey;
  #seq: number;
  #prev: string;
  readonly #lockPath: string;

  private constructor(
    path: string,
    run: string,
    opts: JournalOptions,
    seq: number,
    prev: string,
    fresh = false,
  ) {
    this.path = path;
    this.#run = run;
    this.#operator = opts.operator;
    this.#host = hostname();
    this.#clock = opts.clock ?? (() => new Date());
    this.#key = opts.key;
    this.#seq = seq;
    this.#prev = prev;
    this.#lockPath = `${path}.lock`;
    this.#lock();
    // Never through a symlink: a link planted at the journal's name (a shared or loosely
    // permitted state directory) would otherwise have this run append to, or create, the file
    // it points at. A new journal must not exist at all, not even as a dangling link.
    const { O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW } = fsConstants;
    const flags = O_WRONLY | O_APPEND | O_NOFOLLOW | (fresh ? O_CREAT | O_EXCL : 0);
    try {
      this.#fd = openSync(path, flags, 0o600);
    } catch (err) {
      this.#unlock();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ELOOP')
        throw new UsageError(
          `journal ${path} ${code === 'ELOOP' ? 'is a symbolic link' : 'already exists'}: refused`,
        );
      throw err;
    }
  }

  static create(path: string, run: string, opts: JournalOptions): FsJournal {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (existsSync(path)) throw new UsageError(`journal ${path} already exists`);
    const j = new FsJournal(path, run, opts, 0, GENESIS, true);
    // Make the new file's directory entry durable too.
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
    return j;
  }

  /**
   * Continue an existing journal (resume): its chain and every MAC must verify under this user's
   * key first, since resume then trusts the inputs and runbook path recorded in it.
   */
  static reopen(
    path: string,
    opts: JournalOptions,
  ): { journal: FsJournal; records: JournalRecord[] } {
    const records = readJournal(path);
    const v = verifyRecords(
      records.map((r) => ({ record: r })),
      opts.key,
    );
    if (!v.ok)
      throw new UsageError(`journal ${path} does not verify: ${v.problems[0]?.message ?? ''}`, [
        `vault-runbook journal verify ${records[0]?.run ?? ''}`,
      ]);
    const last = records[records.length - 1];
    const run = records[0]?.run ?? '';
    return {
      journal: new FsJournal(path, run, opts, last ? last.seq + 1 : 0, last?.hash ?? GENESIS),
      records,
    };
  }

  #lock(): void {
    try {
      const fd = openSync(this.#lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // vault-runbook writes its lock as a file; a link there (even one to nowhere, which 'wx'
    // also refuses) is someone else's doing, and reading through it would only say ENOENT.
    if (lstatSync(this.#lockPath, { throwIfNoEntry: false })?.isSymbolicLink())
      throw new UsageError(
        `the lock of run ${this.#run} (${this.#lockPath}) is a symbolic link, not a lock vault-runbook wrote`,
        [`once no run of it is going on, remove it (rm ${this.#lockPath}) and try again`],
      );
    let text: string;
    try {
      text = readFileSync(this.#lockPath, 'utf8');
    } catch (err) {
      // Its holder finished between the two calls: the lock is free now.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.#lock();
      throw err;
    }
    const pid = Number(text);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
      throw new UsageError(`run ${this.#run} is being run by process ${pid}`, [
        'wait for it to finish, or stop that process first',
      ]);
    unlinkSync(this.#lockPath);
    this.#lock();
  }

  append(event: RunEvent): void {
    const base = {
      seq: this.#seq,
      time: this.#clock().toISOString(),
      run: this.#run,
      operator: this.#operator,
      host: this.#host,
      event,
      prev: this.#prev,
    };
    const hash = recordHash(base);
    const record: JournalRecord = { ...base, hash, key: this.#key.id, mac: this.#key.mac(hash) };
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.#fd);
    this.#seq++;
    this.#prev = record.hash;
  }

  /** The last record written: its hash seals everything before it. */
  head(): { seq: number; hash: string } | undefined {
    return this.#seq === 0 ? undefined : { seq: this.#seq - 1, hash: this.#prev };
  }

  close(): void {
    closeSync(this.#fd);
    this.#unlock();
  }

  #unlock(): void {
    try {
      unlinkSync(this.#lockPath);
    } catch {
      // already gone
    }
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ParsedLine {
  readonly line: number;
  readonly record?: JournalRecord;
  readonly error?: string;
}

export function readJournalLines(path: string): ParsedLine[] {
  if (!existsSync(path))
    throw new UsageError(`no journal at ${path}`, ['vault-runbook journal list']);
  return parseJournalText(readFileSync(path, 'utf8'));
}

/**
 * A journal's text, a record or a parse error a line. The one reading every check uses
 * (`journal verify`, resume, an acknowledgement's check), so they cannot disagree on a journal.
 */
export function parseJournalText(text: string): ParsedLine[] {
  const lines = text.split('\n');
  // A crash mid-write can leave a torn last line; it is reported, never silently dropped.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l, i) => {
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch (err) {
      return { line: i + 1, error: `not valid JSON (${(err as Error).message})` };
    }
    // Valid JSON is not yet a record: `{}`, `[]` or `{"event":null}` on a line must read as a
    // damaged line (every reader skips or reports it), not reach code that trusts the shape.
    const shape = recordShapeProblem(value);
    return shape ? { line: i + 1, error: shape } : { line: i + 1, record: value as JournalRecord };
  });
}

/** What keeps a parsed line from being a journal record, or undefined when it has the shape. */
function recordShapeProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a journal record';
  const r = v as Record<string, unknown>;
  const event = r.event as Record<string, unknown> | null | undefined;
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string')
    return 'not a journal record (no event type)';
  for (const k of ['seq'] as const)
    if (typeof r[k] !== 'number') return `not a journal record (no ${k})`;
  for (const k of ['time', 'run', 'operator', 'host', 'prev', 'hash'] as const)
    if (typeof r[k] !== 'string') return `not a journal record (no ${k})`;
  return undefined;
}

export function readJournal(path: string): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const l of readJournalLines(path)) {
    if (!l.record)
      throw new UsageError(`${path}:${l.line}: ${l.error ?? 'unreadable record'}`, [
        'vault-runbook journal verify <run-id>',
      ]);
    out.push(l.record);
  }
  return out;
}

export interface VerifyProblem {
  readonly line: number;
  readonly seq?: number;
  readonly message: string;
}

export interface VerifyResult {
  /** The chain holds and, with a key, every MAC. */
  readonly ok: boolean;
  readonly problems: VerifyProblem[];
  readonly count: number;
  readonly last?: { readonly seq: number; readonly hash: string; readonly event: string };
  /**
   * How the journal ends: a finished run's final record, a suspension (a person is awaited), or
   * neither — cut off, or a run still going (or killed).
   */
  readonly ending: 'finished' | 'suspended' | 'open';
  /** Whether MACs were checked: not when this user has no journal key. */
  readonly macs: 'checked' | 'no-key';
}

export function verifyRecords(
  lines: readonly { line?: number; record?: JournalRecord; error?: string }[],
  key?: JournalKey,
): VerifyResult {
  const problems: VerifyProblem[] = [];
  let prev = GENESIS;
  let expectSeq = 0;
  let last: JournalRecord | undefined;
  lines.forEach((l, i) => {
    const line = l.line ?? i + 1;
    const r = l.record;
    if (!r) {
      problems.push({ line, message: `record on line ${line}: ${l.error ?? 'unreadable'}` });
      return;
    }
    last = r;
    const name = `record ${r.seq} (line ${line}, ${r.event?.type ?? 'no event'})`;
    if (r.seq !== expectSeq)
      problems.push({
        line,
        seq: r.seq,
        message: `${name}: sequence ${r.seq}, expected ${expectSeq}`,
      });
    if (r.prev !== prev)
      problems.push({
        line,
        seq: r.seq,
        message: `${name}: prev does not match the hash of the record before it`,
      });
    const { hash, key: keyId, mac, ...rest } = r;
    if (recordHash(rest) !== hash)
      problems.push({
        line,
        seq: r.seq,
        message: `${name}: hash mismatch — the record was changed`,
      });
    const macProblem = !key
      ? undefined
      : mac === undefined
        ? 'no HMAC — written before journals carried one, or stripped'
        : keyId !== key.id
          ? `MAC'd with journal key ${keyId ?? '?'}, not this user's (${key.id}): verify it as the user who ran it`
          : key.mac(hash) !== mac
            ? 'HMAC mismatch — the journal was rewritten (hashes recomputed without the key)'
            : undefined;
    if (macProblem) problems.push({ line, seq: r.seq, message: `${name}: ${macProblem}` });
    prev = hash;
    expectSeq = r.seq + 1;
  });
  const end: JournalRecord | undefined = last;
  const type = end?.event?.type;
  return {
    ok: problems.length === 0,
    problems,
    count: lines.length,
    ...(end ? { last: { seq: end.seq, hash: end.hash, event: type ?? '?' } } : {}),
    ending: type === 'run-finished' ? 'finished' : type === 'run-suspended' ? 'suspended' : 'open',
    macs: key ? 'checked' : 'no-key',
  };
}

export interface RunSummary {
  readonly runId: string;
  readonly runbook: string;
  readonly started: string;
  readonly operator: string;
  readonly status: string;
  readonly records: number;
}

export function listRuns(env: NodeJS.ProcessEnv = process.env): RunSummary[] {
  const dir = runsDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => {
      const lines = readJournalLines(join(dir, f));
      const recs = lines.flatMap((l) => (l.record ? [l.record] : []));
      const first = recs[0];
      const last = recs[recs.length - 1];
      const started = first?.event.type === 'run-started' ? first.event : undefined;
      let status = 'interrupted';
      for (const r of recs) {
        if (r.event.type === 'run-finished') status = r.event.outcome?.kind ?? 'finished';
        else if (r.event.type === 'run-suspended') status = `waiting at ${r.event.stepId}`;
        else if (r.event.type === 'run-resumed') status = 'interrupted';
      }
      if (last && existsSync(join(dir, `${f}.lock`)) && status === 'interrupted')
        status = 'running?';
      return {
        runId: f.replace(/\.jsonl$/, ''),
        runbook: started ? started.runbookTitle : '?',
        started: first?.time ?? '',
        operator: first?.operator ?? '',
        status,
        records: lines.length,
      };
    })
    .sort((a, b) => a.started.localeCompare(b.started));
}

/** In-memory journal for dry-runs and tests. */
export class MemoryJournal implements JournalWriter {
  readonly events: RunEvent[] = [];
  append(event: RunEvent): void {
    this.events.push(JSON.parse(JSON.stringify(event)) as RunEvent);
  }
}
