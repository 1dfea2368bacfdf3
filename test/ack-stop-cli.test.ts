import { rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { journalPath } from '../src/adapters/journal.js';
import type { RunEvent } from '../src/engine/state.js';
import { cli } from './support/cli.js';
import { stopJournalWorld } from './support/stop-journals.js';

/**
 * A run that stopped the cluster and ended without starting it (aborted, failed), a run that
 * is going on now, and what clears a stop: journals written by the real FsJournal with the
 * records the interpreter writes; the real CLI reads them.
 */
const RUN = 's3-secret-recovery-20260101T000000-abcdef';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function world() {
  const { env, prod, rb, journal } = stopJournalWorld(dirs);
  const stopped = (tail: RunEvent[]) =>
    journal(RUN, [
      { type: 'step-started', stepId: 'record', attempt: 1, with: {} },
      { type: 'step-succeeded', stepId: 'record', outputs: { desired: 3, min: 2 } },
      {
        type: 'step-started',
        stepId: 'stop',
        attempt: 1,
        with: { asg: 'vault-asg', desired: 3, min: 2, timeout: 120 },
        cluster: 'stops',
      },
      ...tail,
    ]);
  return { env, prod, rb, journal, stopped };
}

const aborted: RunEvent[] = [
  { type: 'step-failed', stepId: 'stop', attempt: 1, error: 'aborted', aborted: true },
  { type: 'run-finished', outcome: { kind: 'aborted', reason: 'operator pressed Ctrl-C' } },
];
const ENDED = new RegExp(
  `^warning: run ${RUN} \\(s3-secret-recovery\\) stopped the cluster at \\S+ and ended \\(aborted\\) without starting it, so it cannot be resumed — bring it back: scale ASG vault-asg to desired 3 \\(min 2\\), its size before the stop; then vault-runbook ack-stop ${RUN}; then vault-runbook run unseal --profile \\S+prod\\.yaml$`,
);
const firstLine = (s: string) => s.split('\n')[0] ?? '';

describe('a run that stopped the cluster and ended without starting it', () => {
  it('Given the run was aborted after its stop, When list runs, Then the first line says it ended and how to bring the cluster back (the group, the journaled size, ack-stop, unseal)', async () => {
    const { env, stopped } = world();
    stopped(aborted);
    const r = await cli(['list'], env);
    expect(r.exitCode).toBe(0);
    expect(firstLine(r.stderr)).toMatch(ENDED);
    expect(r.stderr).not.toContain('resume it');
  });

  it('Given the run failed at its start step, When a mutating run on the profile starts, Then it refuses (exit 4) proposing the bring-back steps, not resume', async () => {
    const { env, prod, rb, stopped } = world();
    stopped([
      { type: 'step-succeeded', stepId: 'stop', outputs: {} },
      { type: 'step-started', stepId: 'start', attempt: 1, with: {}, cluster: 'starts' },
      { type: 'step-failed', stepId: 'start', attempt: 1, error: 'gave up waiting' },
      { type: 'run-finished', outcome: { kind: 'failed', stepId: 'start', error: 'gave up' } },
    ]);
    const r = await cli(['run', rb, '--profile', prod], env);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain('ended (failed) without starting it');
    expect(r.stderr).toContain('scale ASG vault-asg to desired 3');
    expect(r.stderr).not.toContain(`vault-runbook resume ${RUN}`);
    expect(r.stdout).not.toContain('went-on');
  });

  it('Given the aborted run, When the operator runs ack-stop on it, Then it is journaled (and verifies), the warning is gone and runs go on; a second ack-stop is a usage error', async () => {
    const { env, prod, rb, stopped } = world();
    stopped(aborted);
    const ack = await cli(['ack-stop', RUN, '--note', 'ASG back to 3 by hand'], env);
    expect(ack.exitCode, ack.stderr).toBe(0);
    const ackId = /journaled as (ack-stop-\S+)\)/.exec(ack.stdout)?.[1];
    expect(ackId).toBeDefined();
    const verify = await cli(['journal', 'verify', ackId!], env);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    const show = await cli(['journal', 'show', ackId!], env);
    expect(show.stdout).toContain('ASG back to 3 by hand');
    const list = await cli(['list'], env);
    expect(list.stderr).not.toMatch(/stopped the cluster/);
    expect((await cli(['run', rb, '--profile', prod], env)).exitCode).toBe(0);
    const again = await cli(['ack-stop', RUN], env);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`ack-stop ${RUN}: no run of that id has the cluster stopped`);
  });

  it('Given the aborted run, When a later run on the same profile started the cluster, Then the warning is gone; a later start on another profile leaves it', async () => {
    const { env, journal, stopped } = world();
    stopped(aborted);
    const startedCluster: RunEvent[] = [
      { type: 'step-started', stepId: 'start', attempt: 1, with: {}, cluster: 'starts' },
      { type: 'step-succeeded', stepId: 'start', outputs: {} },
    ];
    journal('s3-secret-recovery-20260101T010000-000001', startedCluster, {
      profileName: 'staging',
    });
    expect(firstLine((await cli(['list'], env)).stderr)).toMatch(ENDED);
    journal('s3-secret-recovery-20260101T020000-000002', startedCluster, { profileName: 'prod' });
    expect((await cli(['list'], env)).stderr).not.toMatch(/stopped the cluster/);
  });
});

describe('a run that stopped the cluster and is going on now', () => {
  it('Given its lock is held by a live process, When list runs, Then it says in progress with the pid (not resume); ack-stop refuses with exit 4', async () => {
    const { env, stopped } = world();
    stopped([]);
    // The test runner itself stands for the live process holding the run.
    writeFileSync(`${journalPath(RUN, env)}.lock`, String(process.pid));
    const r = await cli(['list'], env);
    expect(firstLine(r.stderr)).toMatch(
      new RegExp(
        `^warning: run ${RUN} \\(s3-secret-recovery\\) stopped the cluster at \\S+ and is in progress \\(pid ${process.pid}\\) — the cluster is down until its start step succeeds$`,
      ),
    );
    expect(r.stderr).not.toContain('resume');
    const ack = await cli(['ack-stop', RUN], env);
    expect(ack.exitCode).toBe(4);
    expect(ack.stderr).toContain(`that run is in progress (pid ${process.pid})`);
  });

  it('Given its lock names a process that is gone, When list runs, Then it is resumable again', async () => {
    const { env, stopped } = world();
    stopped([]);
    writeFileSync(`${journalPath(RUN, env)}.lock`, '2147483646');
    expect(firstLine((await cli(['list'], env)).stderr)).toContain(
      `has not finished — resume it: vault-runbook resume ${RUN}`,
    );
  });
});

describe('ack-stop usage', () => {
  it('Given no such run or not a run id, When ack-stop runs, Then a one-line usage error (exit 2)', async () => {
    const { env } = world();
    const none = await cli(['ack-stop', 'nope-20260101T000000-abcdef'], env);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).not.toMatch(/\n\s+at /);
    expect((await cli(['ack-stop', '../etc/passwd'], env)).exitCode).toBe(2);
  });
});
