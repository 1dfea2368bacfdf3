import { Redactor } from '../domain/secret.js';
import type { RunObserver } from '../engine/interpreter.js';
import { describeAuditSeal } from '../engine/journal-seal.js';
import { loadAnswers, ScriptedHuman, SecretLines } from '../headless/answers.js';
import { JsonReporter, LineReporter } from '../headless/reporter.js';
import { validateAnswers } from '../headless/validate-answers.js';
import type { Writable } from '../app/io.js';
import { assertHeadlessPossible, preflightHeadless } from '../app/preflight.js';
import { prepareRun, type NewRunRequest } from '../app/prepare.js';
import { createRun, resumeRun, type RunSession } from '../app/session.js';
import { checkSecretsFd } from './secrets-fd.js';

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

/** Writing the final hash into the audit log is one more network call: it gets a deadline. */
const AUDIT_SEAL_TIMEOUT_MS = 10_000;

/**
 * The journal's last hash, shown when the run stops: written down or kept in a ticket, it ties
 * the journal to this moment, so dropping records after it or rewriting it shows. A finished
 * run also leaves it in Vault's audit log when it used an operator token.
 */
async function sealLine(
  opts: HeadlessOptions,
  session: RunSession,
  suspended: boolean,
): Promise<void> {
  const head = session.journalHead();
  if (!head) return;
  const seal = suspended
    ? undefined
    : await session.sealInAuditLog(head.hash, AbortSignal.timeout(AUDIT_SEAL_TIMEOUT_MS));
  const label = suspended ? 'hash so far' : 'final hash';
  opts.stdout.write(
    opts.json
      ? `${JSON.stringify({ type: 'journal-sealed', run: session.runId, record: head.seq, hash: head.hash, final: !suspended, ...(seal ? { audit: seal } : {}) })}\n`
      : `  journal ${label}: ${head.hash} (record ${head.seq}; vault-runbook journal verify ${session.runId})${seal ? `; ${describeAuditSeal(seal)}` : ''}\n`,
  );
}

async function drive(
  answers: Record<string, unknown>,
  make: (human: ScriptedHuman, observer: RunObserver, redactor: Redactor) => RunSession,
  opts: HeadlessOptions,
): Promise<number> {
  const redactor = new Redactor();
  // The reporter needs the journal path, which exists only once the session does.
  const inner: { current?: RunObserver } = {};
  const observer: RunObserver = { onEvent: (e, s) => inner.current?.onEvent(e, s) };
  const secrets = opts.secretsFd === undefined ? undefined : new SecretLines(opts.secretsFd);
  let session: RunSession;
  try {
    session = make(new ScriptedHuman(answers, secrets), observer, redactor);
  } catch (err) {
    secrets?.close();
    throw err;
  }
  inner.current = reporter(opts, session.journalPath);
  const onSigint = (): void => session.interpreter.abort('interrupted (SIGINT)');
  const onSigterm = (): void => session.interpreter.abort('terminated (SIGTERM)');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    const result = await session.go();
    await sealLine(opts, session, result.kind === 'suspended');
    // The step that asked failed with it; the run's exit says it was the input, not the cluster.
    if (secrets?.failure) throw secrets.failure;
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    session.close();
    secrets?.close();
  }
}

/**
 * Every check that can be a usage error runs before the run exists: the secrets fd first
 * (before anything reads or opens a file), then the runbook, profile and inputs (read once),
 * whether it can finish headless, and the answers against its steps.
 */
export function runHeadless(req: NewRunRequest, opts: HeadlessOptions): Promise<number> {
  if (opts.secretsFd !== undefined) checkSecretsFd(opts.secretsFd, opts.env);
  const prepared = prepareRun(req, opts.env);
  preflightHeadless(prepared);
  const answers = loadAnswers(opts.answers);
  validateAnswers(answers, prepared);
  return drive(
    answers,
    (human, observer, redactor) =>
      createRun(prepared, { human, observers: [observer], env: opts.env, redactor }),
    opts,
  );
}

export function resumeHeadless(
  runId: string,
  force: boolean,
  opts: HeadlessOptions,
): Promise<number> {
  if (opts.secretsFd !== undefined) checkSecretsFd(opts.secretsFd, opts.env);
  const answers = loadAnswers(opts.answers);
  return drive(
    answers,
    (human, observer, redactor) => {
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
        validateAnswers(answers, {
          runbook: st.runbook,
          profile: st.profile,
          inputs: st.meta.inputs,
        });
      } catch (err) {
        session.close();
        throw err;
      }
      return session;
    },
    opts,
  );
}
