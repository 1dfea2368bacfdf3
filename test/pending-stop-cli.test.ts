import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/state.js';
import { cli } from './support/cli.js';
import { stopJournalWorld } from './support/stop-journals.js';

/**
 * A run that stopped the cluster and was killed: `list` and `run` say so on stderr before
 * anything else, and another mutating run on the same profile refuses (exit 4) until it is
 * resumed or --force-despite names it. The journal is written by the real FsJournal with the
 * records the interpreter writes for the in-place recovery's first steps.
 */
const RUN = 's3-secret-recovery-20260101T000000-abcdef';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function world(tail: RunEvent[] = []) {
  const { env, prod, profile, rb, journal } = stopJournalWorld(dirs);
  // The CLI was SIGKILLed after these records: no run-finished record (the lock goes, as a
  // dead process's stale lock would be taken over).
  journal(
    RUN,
    [
      { type: 'step-started', stepId: 'record', attempt: 1, with: {} },
      { type: 'step-succeeded', stepId: 'record', outputs: {} },
      { type: 'step-started', stepId: 'stop', attempt: 1, with: {}, cluster: 'stops' },
      ...tail,
    ],
    {
      runbookTitle: 'Recover a secret from an earlier S3 object version',
      runbookFile: 'runbooks/s3-secret-recovery.yaml',
    },
  );
  return { env, prod, staging: profile('staging'), rb };
}

const WARNING = new RegExp(
  `^warning: run ${RUN} \\(s3-secret-recovery\\) stopped the cluster at \\d{4}-\\S+ and has not finished — resume it: vault-runbook resume ${RUN}$`,
);
const firstLine = (s: string) => s.split('\n')[0] ?? '';

describe('a run that left the cluster stopped', () => {
  it('Given a journal that stopped the cluster and never started it, When list or status runs, Then stderr’s first line is the warning and the runbooks are listed', async () => {
    const { env, prod } = world();
    const r = await cli(['list'], env);
    expect(r.exitCode).toBe(0);
    expect(firstLine(r.stderr)).toMatch(WARNING);
    expect(r.stdout).toContain('s3-secret-recovery');
    const status = await cli(['status', '--profile', prod], env);
    expect(firstLine(status.stderr)).toMatch(WARNING);
  });

  it('Given that journal, When run names a runbook that does not exist, Then the warning still comes first', async () => {
    const { env } = world();
    const r = await cli(['run', 'no-such-runbook'], env);
    expect(r.exitCode).toBe(2);
    expect(firstLine(r.stderr)).toMatch(WARNING);
  });

  it('Given that journal, When a mutating runbook runs on the same profile, Then it refuses with exit 4 naming resume and --force-despite; with --force-despite it goes on', async () => {
    const { env, prod, rb } = world();
    const refused = await cli(['run', rb, '--profile', prod], env);
    expect(refused.exitCode, refused.stderr).toBe(4);
    expect(firstLine(refused.stderr)).toMatch(WARNING);
    expect(refused.stderr).toContain(`refusing to run t: run ${RUN}`);
    expect(refused.stderr).toContain(`vault-runbook resume ${RUN}`);
    expect(refused.stderr).toContain(`--force-despite ${RUN}`);
    expect(refused.stdout).not.toContain('went-on');
    const forced = await cli(['run', rb, '--profile', prod, '--force-despite', RUN], env);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('went-on');
    expect(firstLine(forced.stderr)).toMatch(WARNING);
  });

  it('Given that journal, When the run is a dry run, on another profile, or forced despite an unknown run, Then the first two go on and the last is a usage error', async () => {
    const { env, prod, staging, rb } = world();
    expect((await cli(['run', rb, '--profile', prod, '--dry-run'], env)).exitCode).toBe(0);
    expect((await cli(['run', rb, '--profile', staging], env)).exitCode).toBe(0);
    const bogus = await cli(['run', rb, '--profile', prod, '--force-despite', 'nope'], env);
    expect(bogus.exitCode).toBe(2);
    expect(bogus.stderr).toMatch(/--force-despite nope: no run of that id has the cluster stopped/);
  });

  it('Given the start step succeeded after the stop, When list runs, Then no warning and runs are not refused', async () => {
    const { env, prod, rb } = world([
      { type: 'step-succeeded', stepId: 'stop', outputs: {} },
      { type: 'step-started', stepId: 'start', attempt: 1, with: {}, cluster: 'starts' },
      { type: 'step-succeeded', stepId: 'start', outputs: {} },
    ]);
    const r = await cli(['list'], env);
    expect(r.stderr).not.toMatch(/stopped the cluster/);
    expect((await cli(['run', rb, '--profile', prod], env)).exitCode).toBe(0);
  });
});
