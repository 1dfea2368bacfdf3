import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalRecord } from '../../src/adapters/journal.js';
import type { RunEvent } from '../../src/engine/state.js';

/** The runs directory of a CLI started with this environment. */
export function runsDirOf(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME ?? '', 'vault-runbook', 'runs');
}

/** A run's events so far, read from its journal (a half-written last line is not one yet). */
export function journalEvents(runsDir: string, runId: string): RunEvent[] {
  const file = join(runsDir, `${runId}.jsonl`);
  if (!existsSync(file)) return [];
  const out: RunEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      out.push((JSON.parse(line) as JournalRecord).event);
    } catch {
      // the line being written, or the empty one after the last newline
    }
  }
  return out;
}

/** Run ids in the directory, to tell the one a child started from those before it. */
export function runIds(runsDir: string): string[] {
  return existsSync(runsDir)
    ? readdirSync(runsDir)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => f.slice(0, -'.jsonl'.length))
    : [];
}

/** How many times a step started in a run (every attempt, in every resume). */
export function starts(events: readonly RunEvent[], stepId: string): number {
  return events.filter((e) => e.type === 'step-started' && e.stepId === stepId).length;
}

export function succeeded(events: readonly RunEvent[], stepId: string): boolean {
  return events.some((e) => e.type === 'step-succeeded' && e.stepId === stepId);
}

/**
 * SIGKILLs `child` as soon as its run's journal satisfies `when` (polled every 20 ms: the
 * journal is fsync'd per record, so what is read there has happened). Resolves with the run id
 * and the events at the kill; rejects if the child ends first.
 */
export async function sigkillWhen(
  child: {
    pid?: number | undefined;
    kill(signal: NodeJS.Signals): boolean;
    exitCode: number | null;
  },
  runsDir: string,
  runId: () => string | undefined,
  when: (events: readonly RunEvent[]) => boolean,
  timeoutMs: number,
): Promise<{ runId: string; events: RunEvent[] }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const id = runId();
    const events = id ? journalEvents(runsDir, id) : [];
    if (id && when(events)) {
      child.kill('SIGKILL');
      return { runId: id, events };
    }
    if (child.exitCode !== null)
      throw new Error(`the CLI ended (exit ${child.exitCode}) before the kill point`);
    if (Date.now() > end) throw new Error('timed out waiting for the kill point in the journal');
    await new Promise((r) => setTimeout(r, 20));
  }
}
