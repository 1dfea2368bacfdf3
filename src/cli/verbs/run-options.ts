import { Option, type Command } from 'commander';
import { UsageError } from '../../domain/errors.js';
import { isTTY, type Io } from '../../app/io.js';
import type { HeadlessOptions } from '../headless-run.js';

export interface RunFlags {
  profile?: string;
  var: string[];
  dryRun?: boolean;
  headless?: boolean;
  json?: boolean;
  answers?: string;
  secretsFd?: number;
  force?: boolean;
}

function fdNumber(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw new UsageError(`--secrets-fd needs a file descriptor number, got '${v}'`);
  return n;
}

/** The options `run` and `resume` share: how a run without a screen gets its answers. */
export function runLike(cmd: Command): Command {
  return cmd
    .option(
      '--headless',
      'no TUI: line output, answers from --answers/--secrets-fd (default when not a TTY or CI is set)',
    )
    .option('--json', 'headless, one JSON event per line')
    .option(
      '--answers <file>',
      'YAML map step-id → answer for human steps (yes/no, a choice value, text; a second question of a step: step-id.name, e.g. replace.active: yes)',
    )
    .addOption(
      new Option(
        '--secrets-fd <n>',
        'read secrets (one per line, in the order steps ask) from this file descriptor',
      ).argParser(fdNumber),
    );
}

export function isHeadless(flags: RunFlags, io: Io): boolean {
  return Boolean(flags.headless || flags.json || io.env.CI || !io.stdinIsTTY || !isTTY(io.stdout));
}

/** --answers and --secrets-fd belong to headless runs; the TUI asks a person instead. */
export function refuseHeadlessFlagsInTui(flags: RunFlags): void {
  if (flags.secretsFd !== undefined || flags.answers)
    throw new UsageError('--answers and --secrets-fd are for headless runs', [
      'add --headless, or leave them out to answer in the TUI',
    ]);
}

export function headlessOpts(flags: RunFlags, io: Io): HeadlessOptions {
  return {
    json: Boolean(flags.json),
    ...(flags.answers ? { answers: flags.answers } : {}),
    ...(flags.secretsFd !== undefined ? { secretsFd: flags.secretsFd } : {}),
    stdout: io.stdout,
    env: io.env,
  };
}
