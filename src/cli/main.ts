// First, before any dependency loads: see quiet-deps.ts.
import './quiet-deps.js';
import type { Io } from '../app/io.js';
import { runTuiHomeFrom, wantsTuiHome } from './home.js';
import { report } from './report.js';

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

const io: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdinIsTTY: Boolean(process.stdin.isTTY),
};
const argv = process.argv.slice(2);
// The home screen needs no command-line parser: commander and the verb table load for verbs.
// Nor does `lint` given only files (what an editor or a pre-commit hook runs): any option,
// `--help` included, goes through the parser as every other verb does.
process.exitCode =
  argv.length === 0 && wantsTuiHome(io)
    ? await runTuiHomeFrom(io)
    : argv[0] === 'lint' && argv.slice(1).every((a) => !a.startsWith('-'))
      ? await lintFiles(argv.slice(1))
      : await (await import('./program.js')).main(argv, io);

async function lintFiles(files: string[]): Promise<number> {
  try {
    return await (await import('./verbs/lint.js')).lint(files, io);
  } catch (err) {
    return report(err, io);
  }
}
