import { describe, expect, it } from 'vitest';
import { FakeAws } from '../test-support/fake-aws.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { interpreterFor, runbookFrom } from '../test-support/fakes.js';
import { profile } from '../test-support/s3-recovery-ctx.js';
import {
  blockingStops,
  clusterLeftStopped,
  clusterMarks,
  isMutating,
  pendingStopLines,
  pendingStopNextSteps,
  pendingStops,
} from './pending-stop.js';
import type { PastRun } from './ports.js';
import type { RunEvent } from './state.js';

const at = (events: RunEvent[]) =>
  events.map((event, i) => ({ time: `2026-01-01T00:00:0${i}Z`, event }));
const started = (stepId: string, cluster?: 'stops' | 'starts', w: unknown = {}): RunEvent => ({
  type: 'step-started',
  stepId,
  attempt: 1,
  with: w,
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
  it('Given a run that finished (aborted) after its stop, When judged, Then the stop still stands; a run with no stop step leaves none', () => {
    const aborted: RunEvent = {
      type: 'run-finished',
      outcome: { kind: 'aborted', reason: 'operator' },
    };
    expect(clusterLeftStopped(at([started('stop', 'stops'), aborted]))?.stepId).toBe('stop');
    expect(clusterLeftStopped(at([started('a'), ok('a')]))).toBeUndefined();
  });
  it('Given the stop step was given the group and its size, When judged, Then the stop carries them to bring back', () => {
    const w = { asg: 'vault-asg', desired: 3, min: 2, timeout: 120 };
    expect(clusterLeftStopped(at([started('stop', 'stops', w)]))?.bringBack).toEqual({
      asg: 'vault-asg',
      desired: 3,
      min: 2,
    });
  });
  it('Given a resumed run whose start step’s probe found the cluster back, When judged, Then that counts as started', () => {
    const probed: RunEvent = { type: 'step-probed', stepId: 'start', tookEffect: true, detail: '' };
    const marks = clusterMarks(at([started('stop', 'stops'), started('start', 'starts'), probed]));
    expect(marks).toEqual({ startedAt: '2026-01-01T00:00:02Z' });
    const notYet: RunEvent = { ...probed, tookEffect: false };
    expect(
      clusterMarks(at([started('stop', 'stops'), started('start', 'starts'), notYet])).stop,
    ).toBeDefined();
  });
  it('Given a step that succeeded without a start marker (a later step of another kind), When judged, Then it does not count as a start', () => {
    expect(
      clusterLeftStopped(at([started('stop', 'stops'), started('unseal'), ok('unseal')])),
    ).toBeDefined();
  });
});

describe('the warning, the refusal and what mutates', () => {
  const STOP = { at: '2026-01-01T00:00:02Z', stepId: 'stop' };
  const run = (runId: string, profileName?: string, extra: Partial<PastRun> = {}): PastRun => ({
    runId,
    runbookId: 's3-secret-recovery',
    ...(profileName ? { profileName } : {}),
    status: 'interrupted',
    succeeded: [],
    clusterStopped: STOP,
    ...extra,
  });
  const ID = 's3-secret-recovery-20260101T000000-abcdef';
  it('Given an interrupted run with a standing stop, When worded, Then it names the run, the runbook, the time and the resume command', () => {
    expect(
      pendingStopLines([run(ID, 'prod'), { ...run('other', 'prod'), clusterStopped: undefined }]),
    ).toEqual([
      `run ${ID} (s3-secret-recovery) stopped the cluster at 2026-01-01T00:00:02Z and has not finished — resume it: vault-runbook resume ${ID}`,
    ]);
  });
  it('Given a run whose lock a live process holds, When worded, Then it says in progress with the pid, not resume', () => {
    const [line] = pendingStopLines([run(ID, 'prod', { lockPid: 4242 })]);
    expect(line).toBe(
      `run ${ID} (s3-secret-recovery) stopped the cluster at 2026-01-01T00:00:02Z and is in progress (pid 4242) — the cluster is down until its start step succeeds`,
    );
    expect(line).not.toContain('resume');
  });
  it('Given a run that ended aborted with the stop standing and the size journaled, When worded, Then it says it cannot be resumed and gives the steps: the group and size, ack-stop, unseal with the profile', () => {
    const r = run(ID, 'prod', {
      status: 'aborted',
      finished: 'aborted',
      profileFile: '/etc/vr/prod.yaml',
      clusterStopped: { ...STOP, bringBack: { asg: 'vault-asg', desired: 3, min: 2 } },
    });
    expect(pendingStopLines([r])).toEqual([
      `run ${ID} (s3-secret-recovery) stopped the cluster at 2026-01-01T00:00:02Z and ended (aborted) without starting it, so it cannot be resumed — bring it back: scale ASG vault-asg to desired 3 (min 2), its size before the stop; then vault-runbook ack-stop ${ID}; then vault-runbook run unseal --profile /etc/vr/prod.yaml`,
    ]);
    const [p] = pendingStops([r]);
    expect(pendingStopNextSteps(p!, 'vault-runbook run x')[0]).toMatch(
      /^scale ASG vault-asg to desired 3/,
    );
  });
  it('Given a failed run whose size was not journaled, When worded, Then it says the size is unknown rather than guessing', () => {
    const r = run(ID, undefined, { finished: 'failed' });
    expect(pendingStopLines([r])[0]).toContain(
      "ended (failed) without starting it, so it cannot be resumed — bring it back: scale the profile's ASG (aws.asg) to its size before the stop (not journaled); then vault-runbook ack-stop",
    );
  });
  it('Given an ended stop, When a later run on the same profile started the cluster, or an ack-stop names it, Then it no longer stands; a start on another profile or before the stop does not clear it', () => {
    const ended = run(ID, 'prod', { finished: 'aborted' });
    const later = (extra: Partial<PastRun>): PastRun => ({
      runId: 'later',
      runbookId: 'x',
      status: 'succeeded',
      succeeded: [],
      ...extra,
    });
    expect(pendingStops([ended])).toHaveLength(1);
    expect(
      pendingStops([
        ended,
        later({ profileName: 'prod', clusterStartedAt: '2026-01-01T01:00:00Z' }),
      ]),
    ).toEqual([]);
    expect(pendingStops([ended, later({ acknowledges: ID })])).toEqual([]);
    expect(
      pendingStops([
        ended,
        later({ profileName: 'staging', clusterStartedAt: '2026-01-01T01:00:00Z' }),
      ]),
    ).toHaveLength(1);
    expect(
      pendingStops([
        ended,
        later({ profileName: 'prod', clusterStartedAt: '2025-12-31T00:00:00Z' }),
      ]),
    ).toHaveLength(1);
    expect(pendingStops([ended, later({ acknowledges: 'another-run' })])).toHaveLength(1);
    // A profile-less stop cannot be matched to a cluster: only an acknowledgement clears it.
    const anon = run(ID, undefined, { finished: 'aborted' });
    expect(
      pendingStops([
        anon,
        later({ profileName: 'prod', clusterStartedAt: '2026-01-01T01:00:00Z' }),
      ]),
    ).toHaveLength(1);
  });
  it('Given pending stops on several profiles, When a run on one is checked, Then only that profile’s (or a profile-less) stop blocks, and --force-despite lifts exactly one', () => {
    const runs = [
      run('a', 'prod'),
      run('b', 'staging'),
      run('c'),
      { ...run('d', 'prod'), clusterStopped: undefined } as PastRun,
    ];
    expect(blockingStops(runs, 'prod', undefined).map((p) => p.run.runId)).toEqual(['a', 'c']);
    expect(blockingStops(runs, 'prod', 'a').map((p) => p.run.runId)).toEqual(['c']);
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
