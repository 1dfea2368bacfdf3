import type { Command } from 'commander';
import type { VerbContext } from './context.js';
import { PROFILE_HELP } from './context.js';
import {
  headlessOpts,
  isHeadless,
  refuseHeadlessFlagsInTui,
  runLike,
  type RunFlags,
} from './run-options.js';
import { loadTui } from '../tui.js';
import { warnPendingStops } from '../pending-stops.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function registerRun(program: Command, { io, setExit }: VerbContext): void {
  runLike(
    program
      .command('run')
      .description('run a runbook: an id from runbooks/ or a path to a YAML file')
      .argument('<runbook>', 'runbook id or file')
      .option('-p, --profile <file>', PROFILE_HELP)
      .option('--var <key=value>', 'set a runbook input (repeatable)', collect, [])
      .option(
        '--dry-run',
        'show every step with its resolved inputs and what it would do; execute nothing',
      )
      .option(
        '--force-despite <run-id>',
        'run although that unfinished run left the cluster stopped (know the cluster first)',
      ),
  ).action(async (ref: string, flags: RunFlags & { forceDespite?: string }) => {
    // Before anything else: a run that stopped the cluster and never finished.
    await warnPendingStops(io);
    const req = {
      runbookRef: ref,
      ...(flags.profile ? { profile: flags.profile } : {}),
      vars: flags.var,
      dryRun: Boolean(flags.dryRun),
      ...(flags.forceDespite !== undefined ? { forceDespite: flags.forceDespite } : {}),
    };
    if (isHeadless(flags, io)) {
      const { runHeadless } = await import('../headless-run.js');
      setExit(await runHeadless(req, headlessOpts(flags, io)));
      return;
    }
    refuseHeadlessFlagsInTui(flags);
    const { runTuiRun } = await loadTui();
    setExit(await runTuiRun({ ...req, env: io.env }));
  });
}
