import type { Command } from 'commander';
import { UsageError } from '../../domain/errors.js';
import { isTTY } from '../../app/io.js';
import type { VerbContext } from './context.js';
import { loadTui } from '../tui.js';

/** How long the sandbox's nodes get to answer once it starts (the tool build is not counted). */
export const DEMO_SANDBOX_TIMEOUT_S = 180;

export function registerDemo(program: Command, { io, setExit }: VerbContext): void {
  program
    .command('demo')
    .description(
      'the product on the local sandbox: provision the tools (cached), start the sandbox cluster, open the TUI on it',
    )
    .option('--no-sandbox', 'only the practice drill (no cluster, no Go/Python toolchain needed)')
    .action(async (flags: { sandbox: boolean }) => {
      if (!io.stdinIsTTY || !isTTY(io.stdout))
        throw new UsageError('demo needs a terminal', [
          'run it in a terminal, or: vault-runbook sandbox up && vault-runbook status',
        ]);
      if (!flags.sandbox) {
        const { runTuiRun } = await loadTui();
        setExit(await runTuiRun({ runbookRef: 'practice', env: io.env }));
        return;
      }
      const { sandboxUp } = await import('../../sandbox/up.js');
      const ac = new AbortController();
      const onSig = (): void => ac.abort();
      process.once('SIGINT', onSig);
      try {
        await sandboxUp(io, { timeoutSeconds: DEMO_SANDBOX_TIMEOUT_S }, ac.signal);
      } catch (err) {
        io.stderr.write(
          'demo: the sandbox did not start; `vault-runbook demo --no-sandbox` opens the practice drill without it\n',
        );
        throw err;
      } finally {
        process.off('SIGINT', onSig);
      }
      // `sandbox up` made its profile the default: the home screen's status pane is live on it.
      const { runTuiHome } = await loadTui();
      setExit(await runTuiHome({ env: io.env }));
    });
}
