import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsJournal, journalPath, operatorName } from '../../src/adapters/journal.js';
import { loadJournalKey } from '../../src/adapters/journal-key.js';
import type { RunEvent } from '../../src/engine/state.js';
import { tempState } from './cli.js';

/**
 * A temp state with profiles, a journal key and a harmless runbook, where a test writes run
 * journals with the real FsJournal and the records the interpreter writes (a run that stopped
 * the cluster, one that started it again, an acknowledgement), for the real CLI to read.
 * `dirs` collects the temp dir for the test file's afterEach to remove.
 */
export function stopJournalWorld(dirs: string[]) {
  const { dir, env } = tempState();
  dirs.push(dir);
  const profile = (name: string) => {
    const f = join(dir, `${name}.yaml`);
    writeFileSync(f, `name: ${name}\nvault: { addresses: ['https://127.0.0.1:1'] }\n`);
    return f;
  };
  const prod = profile('prod');
  const key = loadJournalKey(env, { create: true });
  if (!key) throw new Error('no journal key');
  /** A run's journal: its run-started header (on `profileName`'s profile), then `events`. */
  const journal = (
    runId: string,
    events: RunEvent[],
    opts: { profileName?: string; runbookTitle?: string; runbookFile?: string } = {},
  ) => {
    const profileName = opts.profileName ?? 'prod';
    const j = FsJournal.create(journalPath(runId, env), runId, {
      operator: operatorName(env),
      key,
    });
    j.append({
      type: 'run-started',
      runbookTitle: opts.runbookTitle ?? 'T',
      meta: {
        runId,
        runbookFile: opts.runbookFile ?? 'rb.yaml',
        runbookSha256: 'x',
        inputs: {},
        profileName,
        profileFile: profileName === 'prod' ? prod : profile(profileName),
        dryRun: false,
      },
    });
    for (const e of events) j.append(e);
    j.close();
  };
  const rb = join(dir, 'rb.yaml');
  writeFileSync(rb, 'id: t\ntitle: T\nsteps:\n  - { id: s, run: echo went-on }\n');
  return { dir, env, prod, profile, rb, journal };
}
