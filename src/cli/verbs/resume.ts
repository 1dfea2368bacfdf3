import type { Command } from 'commander';
import type { VerbContext } from './context.js';
import {
  headlessOpts,
  isHeadless,
  refuseHeadlessFlagsInTui,
  runLike,
  type RunFlags,
} from './run-options.js';
import { loadTui } from '../tui.js';

export function registerResume(program: Command, { io, setExit }: VerbContext): void {
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
      const { resumeHeadless } = await import('../headless-run.js');
      setExit(await resumeHeadless(runId, Boolean(flags.force), headlessOpts(flags, io)));
      return;
    }
    refuseHeadlessFlagsInTui(flags);
    const { runTuiResume } = await loadTui();
    setExit(await runTuiResume({ runId, env: io.env, force: Boolean(flags.force) }));
  });
}
