import { Redactor } from '../domain/secret.js';
import type { RunObserver } from '../engine/interpreter.js';
import { loadAnswers, ScriptedHuman, SecretLines } from '../headless/answers.js';
import { JsonReporter, LineReporter, type Writable } from '../headless/reporter.js';
import { assertHeadlessPossible, preflightHeadless } from './preflight.js';
import { createRun, resumeRun, type RunSession } from './session.js';

export interface HeadlessOptions {
  readonly json?: boolean;
  readonly answers?: string;
  readonly secretsFd?: number;
  readonly stdout: Writable;
  readonly env: NodeJS.ProcessEnv;
}

function reporter(opts: HeadlessOptions, journal?: string): RunObserver {
  return opts.json ? new JsonReporter(opts.stdout) : new LineReporter(opts.stdout, journal);
}

/**
 * The journal's last hash, shown when the run stops: written down or kept in a ticket, it ties
 * the journal to this moment, so dropping records after it or rewriting it shows.
 */
function sealLine(opts: HeadlessOptions, session: RunSession, suspended: boolean): void {
  const head = session.journalHead();
  if (!head) return;
  const label = suspended ? 'hash so far' : 'final hash';
  opts.stdout.write(
    opts.json
      ? `${JSON.stringify({ type: 'journal-sealed', run: session.runId, record: head.seq, hash: head.hash, final: !suspended })}\n`
      : `  journal ${label}: ${head.hash} (record ${head.seq}; vault-runbook journal verify ${session.runId})\n`,
  );
}

async function drive(
  make: (human: ScriptedHuman, observer: RunObserver, redactor: Redactor) => RunSession,
  opts: HeadlessOptions,
): Promise<number> {
  const secrets = opts.secretsFd === undefined ? undefined : new SecretLines(opts.secretsFd);
  const human = new ScriptedHuman(loadAnswers(opts.answers), secrets);
  const redactor = new Redactor();
  // The reporter needs the journal path, which exists only once the session does.
  const inner: { current?: RunObserver } = {};
  const observer: RunObserver = { onEvent: (e, s) => inner.current?.onEvent(e, s) };
  const session = make(human, observer, redactor);
  inner.current = reporter(opts, session.journalPath);
  const onSigint = (): void => session.interpreter.abort('interrupted (SIGINT)');
  const onSigterm = (): void => session.interpreter.abort('terminated (SIGTERM)');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    const result = await session.go();
    sealLine(opts, session, result.kind === 'suspended');
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    session.close();
    secrets?.close();
  }
}

export function runHeadless(
  req: { runbookRef: string; profile?: string; vars?: string[]; dryRun?: boolean },
  opts: HeadlessOptions,
): Promise<number> {
  preflightHeadless(req, opts.env);
  return drive(
    (human, observer, redactor) =>
      createRun(req, { human, observers: [observer], env: opts.env, redactor }),
    opts,
  );
}

export function resumeHeadless(
  runId: string,
  force: boolean,
  opts: HeadlessOptions,
): Promise<number> {
  return drive((human, observer, redactor) => {
    const session = resumeRun(runId, {
      human,
      observers: [observer],
      env: opts.env,
      redactor,
      force,
    });
    const st = session.interpreter.state;
    try {
      assertHeadlessPossible(st.runbook, st.profile, st.meta.inputs);
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }, opts);
}
