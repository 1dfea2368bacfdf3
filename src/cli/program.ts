import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, formatDiagnostic, UsageError, VrError } from '../domain/errors.js';
import { looksLikeProfile, parseProfile, parseRunbook } from '../domain/load.js';
import { jsonSchema } from '../domain/schema.js';
import { journalPath, listRuns, readJournalLines } from '../adapters/journal.js';
import { verifyJournal } from './journal-verify.js';
import type { Writable } from '../headless/reporter.js';
import { resumeHeadless, runHeadless } from './headless-run.js';
import {
  clusterPorts,
  listRunbooks,
  loadProfile,
  packageRoot,
  profilePath,
  registry,
} from './session.js';
import { collectStatus, formatStatus, StatusPoller } from './status.js';
import type { ClusterStatus } from '../domain/cluster.js';
import { renderTranscript } from './transcript.js';
import { registerSandboxCommands } from '../sandbox/cli.js';

export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTTY: boolean;
}

interface RunFlags {
  profile?: string;
  var: string[];
  dryRun?: boolean;
  headless?: boolean;
  json?: boolean;
  answers?: string;
  secretsFd?: number;
  force?: boolean;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function fdNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--secrets-fd needs a file descriptor number, got '${v}'`);
  return n;
}

function isHeadless(flags: RunFlags, io: Io): boolean {
  const stdoutTTY = Boolean((io.stdout as { isTTY?: boolean }).isTTY);
  return Boolean(flags.headless || flags.json || io.env.CI || !io.stdinIsTTY || !stdoutTTY);
}

function version(): string {
  try {
    return (
      JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
}

function lint(files: string[], io: Io): number {
  const reg = registry();
  const targets = files.length ? files : listRunbooks(io.env).map((r) => r.file);
  let problems = 0;
  for (const file of targets) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      io.stdout.write(`${file}:1:1 cannot read file\n`);
      problems++;
      continue;
    }
    const r = looksLikeProfile(text)
      ? parseProfile(text, file)
      : parseRunbook(text, file, {
          knownActions: reg.ids(),
          checkWith: (u, w) => reg.checkWith(u, w),
        });
    for (const d of r.diagnostics) io.stdout.write(`${formatDiagnostic(d)}\n`);
    problems += r.diagnostics.length;
  }
  io.stderr.write(`${targets.length} file(s), ${problems} problem(s)\n`);
  return problems ? ExitCode.usage : ExitCode.ok;
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('vault-runbook')
    .description('Guided, journaled runbooks for a HashiCorp Vault cluster on AWS')
    .version(version())
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();

  const runLike = (cmd: Command): Command =>
    cmd
      .option(
        '--headless',
        'no TUI: line output, answers from --answers/--secrets-fd (default when not a TTY or CI is set)',
      )
      .option('--json', 'headless, one JSON event per line')
      .option(
        '--answers <file>',
        'YAML map step-id → answer for human steps (yes/no, a choice value, text)',
      )
      .addOption(
        new Option(
          '--secrets-fd <n>',
          'read secrets (one per line, in the order steps ask) from this file descriptor',
        ).argParser(fdNumber),
      );

  runLike(
    program
      .command('run')
      .description('run a runbook: an id from runbooks/ or a path to a YAML file')
      .argument('<runbook>', 'runbook id or file')
      .option(
        '-p, --profile <file>',
        'cluster profile (default: $VAULT_RUNBOOK_PROFILE, then the one `sandbox up` selected)',
      )
      .option('--var <key=value>', 'set a runbook input (repeatable)', collect, [])
      .option(
        '--dry-run',
        'show every step with its resolved inputs and what it would do; execute nothing',
      ),
  ).action(async (ref: string, flags: RunFlags) => {
    const req = {
      runbookRef: ref,
      ...(flags.profile ? { profile: flags.profile } : {}),
      vars: flags.var,
      dryRun: Boolean(flags.dryRun),
    };
    if (isHeadless(flags, io)) {
      setExit(await runHeadless(req, { ...headlessOpts(flags, io) }));
      return;
    }
    const { runTuiRun } = await import('../ui/render.js');
    setExit(await runTuiRun({ ...req, env: io.env }));
  });

  runLike(
    program
      .command('resume')
      .description(
        'continue an interrupted run from its journal; a step that had started is probed before it runs again',
      )
      .argument('<run-id>')
      .option('--force', 'resume even if the runbook file changed since the run started'),
  ).action(async (runId: string, flags: RunFlags) => {
    if (isHeadless(flags, io)) {
      setExit(await resumeHeadless(runId, Boolean(flags.force), headlessOpts(flags, io)));
      return;
    }
    const { runTuiResume } = await import('../ui/render.js');
    setExit(await runTuiResume({ runId, env: io.env, force: Boolean(flags.force) }));
  });

  program
    .command('status')
    .description(
      'cluster status once, or live with --watch: per node seal/HA/health, per region ASG, replication lag, HA lock holder',
    )
    .option(
      '-p, --profile <file>',
      'cluster profile (default: $VAULT_RUNBOOK_PROFILE, then the one `sandbox up` selected)',
    )
    .option('--json', 'one JSON document (with --watch: one per line)')
    .option('--watch', 'refresh every --interval until interrupted')
    .option('--interval <seconds>', 'refresh interval for --watch', '2')
    .action(
      async (flags: { profile?: string; json?: boolean; watch?: boolean; interval: string }) => {
        const profile = loadProfile(profilePath(flags.profile, io.env));
        const { vault, aws } = clusterPorts(profile, io.env);
        if (!vault)
          throw new UsageError('no cluster: give --profile, set VAULT_ADDR, or start the sandbox', [
            'vault-runbook sandbox up',
          ]);
        const print = (s: ClusterStatus): void => {
          if (flags.json) io.stdout.write(`${JSON.stringify(s)}\n`);
          else
            io.stdout.write(
              `${flags.watch && (io.stdout as { isTTY?: boolean }).isTTY ? '\x1b[2J\x1b[H' : ''}${formatStatus(s)}`,
            );
        };
        const collect = (signal: AbortSignal): Promise<ClusterStatus> =>
          collectStatus(profile, vault, aws, signal);
        if (!flags.watch) {
          const s = await collect(AbortSignal.timeout(15_000));
          print(s);
          if (s.summary.unreachable === s.nodes.length) setExit(ExitCode.precondition);
          return;
        }
        const poller = new StatusPoller(
          collect,
          print,
          Math.max(0.2, Number(flags.interval)) * 1000,
        );
        poller.start();
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        poller.stop();
      },
    );

  program
    .command('demo')
    .description(
      'the product on the local sandbox: provision the tools (cached), start the sandbox cluster, open the TUI on it',
    )
    .option('--no-sandbox', 'only the practice drill (no cluster, no Go/Python toolchain needed)')
    .action(async (flags: { sandbox: boolean }) => {
      if (!io.stdinIsTTY || !(io.stdout as { isTTY?: boolean }).isTTY)
        throw new UsageError('demo needs a terminal', [
          'run it in a terminal, or: vault-runbook sandbox up && vault-runbook status',
        ]);
      const { runTuiHome, runTuiRun } = await import('../ui/render.js');
      if (!flags.sandbox) {
        setExit(await runTuiRun({ runbookRef: 'practice', env: io.env }));
        return;
      }
      const { sandboxUp } = await import('../sandbox/up.js');
      const ac = new AbortController();
      const onSig = (): void => ac.abort();
      process.once('SIGINT', onSig);
      try {
        await sandboxUp(io, { timeoutSeconds: 180 }, ac.signal);
      } catch (err) {
        io.stderr.write(
          'demo: the sandbox did not start; `vault-runbook demo --no-sandbox` opens the practice drill without it\n',
        );
        throw err;
      } finally {
        process.off('SIGINT', onSig);
      }
      // `sandbox up` made its profile the default: the home screen's status pane is live on it.
      setExit(await runTuiHome({ env: io.env }));
    });

  program
    .command('list')
    .description('runbooks with one-line descriptions')
    .action(() => {
      const rbs = listRunbooks(io.env);
      const w = Math.max(...rbs.map((r) => r.id.length), 4);
      for (const r of rbs) io.stdout.write(`${r.id.padEnd(w)}  ${r.title}\n`);
    });

  program
    .command('lint')
    .description(
      'validate runbooks and profiles; problems as file:line:col message (exit 2 if any)',
    )
    .argument('[files...]', 'YAML files (default: every known runbook)')
    .action((files: string[]) => setExit(lint(files, io)));

  program
    .command('schema')
    .description('print the JSON Schema of runbooks or profiles (for editor completion)')
    .argument('[which]', 'runbook | profile', 'runbook')
    .action((which: string) => {
      if (which !== 'runbook' && which !== 'profile')
        throw new UsageError(`schema: expected runbook or profile, not '${which}'`);
      io.stdout.write(`${JSON.stringify(jsonSchema(which), null, 2)}\n`);
    });

  const journal = program.command('journal').description('audit transcripts of runs');
  journal
    .command('list')
    .description('every run in the state directory')
    .action(() => {
      const runs = listRuns(io.env);
      if (!runs.length) io.stdout.write('no runs yet\n');
      for (const r of runs)
        io.stdout.write(`${r.runId}  ${r.started}  ${r.operator}  ${r.status}  ${r.runbook}\n`);
    });
  journal
    .command('show')
    .description('the transcript of one run (who did what, when; no secrets)')
    .argument('<run-id>')
    .option('--json', 'the raw records')
    .action((runId: string, flags: { json?: boolean }) => {
      const lines = readJournalLines(journalPath(runId, io.env));
      if (flags.json)
        for (const l of lines)
          io.stdout.write(`${JSON.stringify(l.record ?? { line: l.line, error: l.error })}\n`);
      else io.stdout.write(renderTranscript(lines));
    });
  journal
    .command('verify')
    .description(
      'check the SHA-256 hash chain, the HMACs and the final record; exit 1 naming each problem',
    )
    .argument('<run-id>')
    .action((runId: string) => {
      const v = verifyJournal(runId, io.env);
      for (const l of v.stdout) io.stdout.write(`${l}\n`);
      for (const l of v.stderr) io.stderr.write(`${l}\n`);
      if (!v.ok) setExit(ExitCode.stepFailed);
    });

  registerSandboxCommands(program, io, setExit);
  return program;
}

function headlessOpts(flags: RunFlags, io: Io): Parameters<typeof runHeadless>[1] {
  return {
    json: Boolean(flags.json),
    ...(flags.answers ? { answers: flags.answers } : {}),
    ...(flags.secretsFd !== undefined ? { secretsFd: flags.secretsFd } : {}),
    stdout: io.stdout,
    env: io.env,
  };
}

/** Parses argv, runs the verb, and turns every error into a message and an exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  let code: number = ExitCode.ok;
  const stdoutTTY = Boolean((io.stdout as { isTTY?: boolean }).isTTY);
  if (argv.length === 0) {
    if (io.stdinIsTTY && stdoutTTY && !io.env.CI) {
      try {
        const { runTuiHome } = await import('../ui/render.js');
        return await runTuiHome({ env: io.env });
      } catch (err) {
        return report(err, io);
      }
    }
    argv = ['--help'];
  }
  const program = buildProgram(io, (c) => (code = c));
  try {
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
      return ExitCode.usage;
    }
    return report(err, io);
  }
}

function report(err: unknown, io: Io): number {
  if (err instanceof VrError) {
    io.stderr.write(`vault-runbook: ${err.message}\n`);
    for (const s of err.nextSteps) io.stderr.write(`  → ${s}\n`);
    return err.exitCode;
  }
  io.stderr.write(
    `vault-runbook: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return ExitCode.stepFailed;
}
