// First, before any dependency loads: see quiet-deps.ts.
import './quiet-deps.js';
import { main, report } from './program.js';

// A crash outside main's own catch (an 'error' event nobody listened for, a stray rejection)
// would make Node print the raw error and stack: it goes through the same masking instead.
const crash = (err: unknown): void => {
  process.exitCode = report(err, { stderr: process.stderr });
  process.exit();
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
// A reader that went away (`vault-runbook list | head`) is not an error of ours, and must never
// stop a run halfway: what is left to print is dropped, the command finishes and keeps its exit
// code (the journal has everything the screen would have shown).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') crash(err);
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdinIsTTY: Boolean(process.stdin.isTTY),
});
