import { isTTY, type Io } from '../app/io.js';
import { report } from './report.js';
import { loadTui } from './tui.js';

/** Whether `vault-runbook` with no verb opens the TUI: a person at a terminal, not CI. */
export function wantsTuiHome(io: Io): boolean {
  return io.stdinIsTTY && isTTY(io.stdout) && !io.env.CI;
}

/**
 * The TUI's home screen; resolves with the exit code. Its own module so that the entry point
 * reaches it without loading the command-line parser and the verb table (commander and every
 * verb's module are not on the way to the first frame).
 */
export async function runTuiHomeFrom(io: Io): Promise<number> {
  try {
    const { runTuiHome } = await loadTui();
    return await runTuiHome({ env: io.env });
  } catch (err) {
    return report(err, io);
  }
}
