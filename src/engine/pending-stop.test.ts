import { describe, expect, it } from 'vitest';
import { FakeAws } from '../test-support/fake-aws.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { interpreterFor, runbookFrom } from '../test-support/fakes.js';
import { profile } from '../test-support/s3-recovery-ctx.js';
import {
  blockingStops,
  clusterLeftStopped,
  isMutating,
  pendingStopLine,
  pendingStopLines,
} from './pending-stop.js';
import type { PastRun } from './ports.js';
import type { RunEvent } from './state.js';

const at = (events: RunEvent[]) =>
  events.map((event, i) => ({ time: `2026-01-01T00:00:0${i}Z`, event }));
const started = (stepId: string, cluster?: 'stops' | 'starts'): RunEvent => ({
  type: 'step-started',
  stepId,
  attempt: 1,
  with: {},
  ...(cluster ? { cluster } : {}),
});
const ok = (stepId: string): RunEvent => ({ type: 'step-succeeded', stepId, outputs: {} });

describe('clusterLeftStopped', () => {
  it('Given a stop step that started and nothing after, When judged, Then the cluster is left stopped at the stop’s time', () => {
    expect(
      clusterLeftStopped(at([started('record'), ok('record'), started('stop', 'stops')])),
    ).toEqual({ at: '2026-01-01T00:00:02Z', stepId: 'stop' });
  });
  it('Given the start step started but not succeeded, When judged, Then it is still stopped; once it succeeded, it is not', () => {
    const events = [
      started('stop', 'stops'),
      ok('stop'),
      started('restore'),
      started('start', 'starts'),
    ];
    expect(clusterLeftStopped(at(events))?.stepId).toBe('stop');
    expect(clusterLeftStopped(at([...events, ok('start')]))).toBeUndefined();
  });
  it('Given a finished run or a run with no stop step, When judged, Then nothing is pending', () => {
    const finished: RunEvent = {
      type: 'run-finished',
      outcome: { kind: 'failed', stepId: 'x', error: 'e' },
    };
    expect(clusterLeftStopped(at([started('stop', 'stops'), finished]))).toBeUndefined();
    expect(clusterLeftStopped(at([started('a'), ok('a')]))).toBeUndefined();
  });
  it('Given a step that succeeded without a start marker (a later step of another kind), When judged, Then it does not count as a start', () => {
    expect(
      clusterLeftStopped(at([started('stop', 'stops'), started('unseal'), ok('unseal')])),
    ).toBeDefined();
  });
});

describe('the warning, the refusal and what mutates', () => {
  const run = (runId: string, profileName?: string, stopped = true): PastRun => ({
    runId,
    runbookId: 's3-secret-recovery',
    ...(profileName ? { profileName } : {}),
    status: 'interrupted',
    succeeded: [],
    ...(stopped ? { clusterStopped: { at: '2026-01-01T00:00:02Z', stepId: 'stop' } } : {}),
  });
  it('Given a pending stop, When worded, Then it names the run, the runbook, the time and the resume command', () => {
    const r = run('s3-secret-recovery-20260101T000000-abcdef', 'prod');
    expect(pendingStopLine(r, r.clusterStopped!)).toBe(
      'run s3-secret-recovery-20260101T000000-abcdef (s3-secret-recovery) stopped the cluster at 2026-01-01T00:00:02Z and has not finished — resume it: vault-runbook resume s3-secret-recovery-20260101T000000-abcdef',
    );
    expect(pendingStopLines([r, run('other', 'prod', false)])).toHaveLength(1);
  });
  it('Given pending stops on several profiles, When a run on one is checked, Then only that profile’s (or a profile-less) stop blocks, and --force-despite lifts exactly one', () => {
    const runs = [run('a', 'prod'), run('b', 'staging'), run('c'), run('d', 'prod', false)];
    expect(blockingStops(runs, 'prod', undefined).map((r) => r.runId)).toEqual(['a', 'c']);
    expect(blockingStops(runs, 'prod', 'a').map((r) => r.runId)).toEqual(['c']);
    expect(blockingStops(runs, undefined, undefined)).toEqual([]);
  });
  it('Given runbooks of only reads and questions, a shell step, or an unseal, When judged, Then only the first is not mutating', () => {
    expect(
      isMutating(
        runbookFrom(
          'id: a\ntitle: A\nsteps:\n  - { id: h, uses: vault.health }\n  - { id: c, uses: human.confirm, with: { message: ok? } }\n',
        ),
      ),
    ).toBe(false);
    expect(isMutating(runbookFrom('id: b\ntitle: B\nsteps:\n  - { id: s, run: "true" }\n'))).toBe(
      true,
    );
    expect(
      isMutating(
        runbookFrom('id: c\ntitle: C\nsteps:\n  - { id: u, uses: human.unseal-shares }\n'),
      ),
    ).toBe(true);
  });
});

describe('the interpreter journals the marker', () => {
  it('Given a runbook that stops then starts the cluster, When run, Then each step-started record says so, and the journal cut after the stop reads as stopped', async () => {
    const aws = new FakeAws();
    const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
    aws.onScale = (n) => {
      vault.state('node-1').down = n === 0;
    };
    const rb = runbookFrom(
      'id: t\ntitle: T\nsteps:\n  - { id: stop, uses: aws.asg-stop-vault }\n  - { id: start, uses: aws.asg-start-vault, with: { desired: 1, min: 1 } }\n',
    );
    const { run, events } = interpreterFor(rb, { aws, vault, profile });
    await expect(run()).resolves.toMatchObject({ exitCode: 0 });
    const starts = events.filter((e) => e.type === 'step-started');
    expect(starts).toMatchObject([
      { stepId: 'stop', cluster: 'stops' },
      { stepId: 'start', cluster: 'starts' },
    ]);
    const cut = events.findIndex((e) => e.type === 'step-started' && e.stepId === 'start');
    expect(clusterLeftStopped(at(events.slice(0, cut)))?.stepId).toBe('stop');
    expect(clusterLeftStopped(at(events.filter((e) => e.type !== 'run-finished')))).toBeUndefined();
  });
});
