import { createReadStream, fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { errorMessage, UsageError } from '../domain/errors.js';
import { readUserFile } from '../adapters/user-file.js';
import { stringify } from '../domain/expr.js';
import { Secret } from '../domain/secret.js';
import type { HumanAnswer, HumanPrompt } from '../engine/human.js';
import { HumanWaitingError } from '../engine/interpreter.js';
import type { HumanPort } from '../engine/ports.js';

export function loadAnswers(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let data: unknown;
  try {
    data = parse(readUserFile(file, '--answers'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--answers: ${file} is not YAML: ${errorMessage(err).split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new UsageError(`--answers: ${file} must be a YAML map of step-id → answer`);
  return data as Record<string, unknown>;
}

/**
 * The longest line --secrets-fd takes. A share or token is far shorter; without a cap, a
 * writer that never sends a newline (the wrong file, /dev/zero) would grow the run's memory
 * without end while readline waits for one.
 */
export const MAX_SECRET_LINE = 64 * 1024;

/** Passes bytes on until a line grows past `max`; then calls `over` and passes nothing more. */
class LineCap extends Transform {
  #run = 0;
  #over = false;
  constructor(
    private readonly max: number,
    private readonly over: () => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#over) return done();
    for (const b of chunk) {
      // readline ends a line at \n, \r or \r\n.
      if (b === 0x0a || b === 0x0d) this.#run = 0;
      else if (++this.#run > this.max) {
        this.#over = true;
        this.over();
        return done();
      }
    }
    done(null, chunk);
  }
}

/** Reads one secret per line from a file descriptor, lazily, in the order steps ask. */
export class SecretLines {
  readonly #lines: string[] = [];
  readonly #waiters: { resolve: (v: string | undefined) => void; reject: (e: Error) => void }[] =
    [];
  #ended = false;
  #failure: UsageError | undefined;
  readonly #close: () => void;
  constructor(fd: number) {
    // A pipe or socket is read through libuv's stream (fs reads of a pipe block a thread-pool
    // thread until data comes, and the process could not exit); a file the normal way.
    const st = fstatSync(fd);
    const input: Readable =
      st.isFIFO() || st.isSocket()
        ? new Socket({ fd, readable: true, writable: false })
        : createReadStream('', { fd, autoClose: true });
    const capped = new LineCap(MAX_SECRET_LINE, () => {
      // The line itself is a secret (or garbage): the message names only its size.
      this.#failure = new UsageError(
        `--secrets-fd ${fd}: a line is longer than ${MAX_SECRET_LINE} bytes, so it is no share or token; nothing more is read from it`,
        ['give one share or token per line, each ended by a newline'],
      );
      this.close();
    });
    input.on('error', (err) => capped.destroy(err));
    const rl = createInterface({ input: input.pipe(capped), crlfDelay: Infinity });
    // The writer may keep its end open after the run: the run's end closes ours, or the
    // process would wait for EOF forever.
    this.#close = () => {
      rl.close();
      capped.destroy();
      input.destroy();
    };
    rl.on('line', (l) => {
      const w = this.#waiters.shift();
      if (w) w.resolve(l);
      else this.#lines.push(l);
    });
    rl.on('close', () => {
      this.#ended = true;
      for (const w of this.#waiters.splice(0))
        if (this.#failure) w.reject(this.#failure);
        else w.resolve(undefined);
    });
  }

  /** Why reading stopped early (a line past the cap), to end the run with a usage error. */
  get failure(): UsageError | undefined {
    return this.#failure;
  }

  /** Stops reading and forgets the lines nobody asked for (unused secrets leave memory). */
  close(): void {
    this.#lines.length = 0;
    this.#close();
  }

  next(): Promise<string | undefined> {
    if (this.#failure) return Promise.reject(this.#failure);
    const l = this.#lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}

const YES = new Set(['yes', 'y', 'true', 'ok', 'done']);
const NO = new Set(['no', 'n', 'false']);

/** A yes/no answer as written in --answers (a YAML boolean or a word), or undefined. */
export function yesNo(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const text = stringify(raw).trim().toLowerCase();
  return YES.has(text) ? true : NO.has(text) ? false : undefined;
}

/** The headless HumanPort: answers come from --answers and --secrets-fd, or the run waits (exit 10). */
export class ScriptedHuman implements HumanPort {
  readonly #answers: Record<string, unknown>;
  readonly #secrets: { next(): Promise<string | undefined> } | undefined;
  constructor(answers: Record<string, unknown>, secrets?: { next(): Promise<string | undefined> }) {
    this.#answers = answers;
    this.#secrets = secrets;
  }

  async ask(stepId: string, prompt: HumanPrompt): Promise<HumanAnswer> {
    if (prompt.type === 'secret') {
      const line = await this.#secrets?.next();
      if (line === undefined || line.trim() === '')
        throw new HumanWaitingError(stepId, `${prompt.label}: no secret left on --secrets-fd`);
      return { type: 'secret', value: new Secret(line.trim(), prompt.label) };
    }
    if (prompt.type === 'handoff')
      throw new UsageError(
        `step '${stepId}' would show ${prompt.holder}'s ${prompt.label} on the screen; a headless run never writes a share or token to a pipe or a log`,
        [
          'run it in a terminal (the TUI), or give every keyholder a PGP key in the profile (keyholders[].pgp_key) so shares are written encrypted to files',
        ],
      );
    // A second question of one step has a key of its own, so one answer never answers both.
    const key = (prompt.type === 'confirm' ? prompt.answerKey : undefined) ?? stepId;
    const raw = this.#answers[key];
    if (raw === undefined || raw === null)
      throw new HumanWaitingError(
        stepId,
        `${key === stepId ? '' : `${key} `}${prompt.type}: ${prompt.message.split('\n')[0] ?? ''}`,
      );
    const text = stringify(raw).trim();
    switch (prompt.type) {
      case 'confirm':
      case 'instructions': {
        const v = yesNo(raw);
        if (v === undefined)
          throw new UsageError(`--answers: ${key} must be yes or no, not '${text}'`);
        if (prompt.type === 'confirm') return { type: 'confirm', value: v };
        if (!v) throw new HumanWaitingError(stepId, 'instructions not yet carried out');
        return { type: 'instructions', done: true };
      }
      case 'input':
        return { type: 'input', value: text };
      case 'choose':
        return { type: 'choose', value: text };
      case 'checklist': {
        if (raw === true || text === 'all')
          return { type: 'checklist', checked: [...prompt.items] };
        if (Array.isArray(raw)) return { type: 'checklist', checked: raw.map(String) };
        throw new UsageError(`--answers: ${stepId} must be 'all' or a list of the checked items`);
      }
      case 'destructive':
        return { type: 'destructive', typed: text };
    }
  }
}
