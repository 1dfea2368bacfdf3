import { ExitCode, VrError } from '../domain/errors.js';
import { maskTokens, stripControls } from '../domain/sanitize.js';
import { REDACTED } from '../domain/secret.js';
import type { Io } from '../app/io.js';

/**
 * An error's text may carry what came from outside (a Vault answer, a file, a step's output):
 * token-shaped strings are masked and control characters dropped before it reaches stderr.
 */
export function cleanErrorText(text: string): string {
  return text
    .split('\n')
    .map((l) => maskTokens(stripControls(l), REDACTED))
    .join('\n');
}

/** The one place an error becomes output and an exit code. */
export function report(err: unknown, io: Pick<Io, 'stderr'>): number {
  if (err instanceof VrError) {
    io.stderr.write(`vault-runbook: ${cleanErrorText(err.message)}\n`);
    for (const s of err.nextSteps) io.stderr.write(`  → ${cleanErrorText(s)}\n`);
    return err.exitCode;
  }
  io.stderr.write(
    `vault-runbook: unexpected error: ${cleanErrorText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
  );
  return ExitCode.stepFailed;
}
