import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ExitCode, UsageError } from '../domain/errors.js';
import type { Io } from '../app/io.js';
import type { VerbContext } from './verbs/context.js';
import { registerAckStop } from './verbs/ack-stop.js';
import { registerDemo } from './verbs/demo.js';
import { registerJournal } from './verbs/journal.js';
import { registerLint } from './verbs/lint.js';
import { registerList } from './verbs/list.js';
import { registerResume } from './verbs/resume.js';
import { registerRun } from './verbs/run.js';
import { registerSandbox } from './verbs/sandbox.js';
import { registerSchema } from './verbs/schema.js';
import { registerStatus } from './verbs/status.js';
import { runTuiHomeFrom, wantsTuiHome } from './home.js';
import { report } from './report.js';

export { cleanErrorText, report } from './report.js';

function version(): string {
  try {
    const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * The command tree. Each verb is its own module and imports what it runs only when it runs,
 * so `--version`, `list` or `lint` never load the TUI, the sandbox or a cloud SDK.
 */
export async function buildProgram(
  io: Io,
  setExit: (code: number) => void,
  argv: readonly string[] = [],
): Promise<Command> {
  const program = new Command('vault-runbook')
    .description('Guided, journaled runbooks for a HashiCorp Vault cluster on AWS')
    .version(version())
    // Commander's own error text is dropped here and written by main() as one line with a
    // pointer to the verb's help: a missing argument is not worth 30 lines of usage.
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => undefined,
    })
    .exitOverride();
  const ctx: VerbContext = { io, setExit };
  registerRun(program, ctx);
  registerResume(program, ctx);
  registerStatus(program, ctx);
  registerDemo(program, ctx);
  registerList(program, ctx);
  registerLint(program, ctx);
  registerSchema(program, ctx);
  registerJournal(program, ctx);
  registerAckStop(program, ctx);
  await registerSandbox(program, ctx, argv);
  return program;
}

/** Parses argv, runs the verb, and turns every error into a message and an exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  let code: number = ExitCode.ok;
  if (argv.length === 0) {
    if (wantsTuiHome(io)) return runTuiHomeFrom(io);
    argv = ['--help'];
  }
  let program: Command | undefined;
  try {
    program = await buildProgram(io, (c) => (code = c), argv);
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return ExitCode.ok;
      const verb = program ? verbPath(program, argv) : [];
      return report(
        new UsageError(err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), [
          ['vault-runbook', ...verb, '--help'].join(' '),
        ]),
        io,
      );
    }
    return report(err, io);
  }
}

/** The verbs named at the start of argv (`sandbox fault`), for the help pointer of an error. */
function verbPath(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let cmd = program;
  for (const word of argv) {
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    path.push(sub.name());
    cmd = sub;
  }
  return path;
}
