import { describe, expect, it } from 'vitest';
import { runbookFrom } from '../test-support/fakes.js';
import { apply, reduce, replay } from './reducer.js';
import { initialState, type RunEvent, type RunState } from './state.js';

const meta = {
  runId: 'r1',
  runbookFile: 'f',
  runbookSha256: 'x',
  inputs: { go: true },
  dryRun: false,
};

function start(yaml: string, dryRun = false): [RunState, ReturnType<typeof reduce>[1]] {
  const rb = runbookFrom(yaml);
  return reduce(initialState(rb, { ...meta, dryRun }), {
    type: 'run-started',
    meta: { ...meta, dryRun },
    runbookTitle: rb.title,
  });
}

const two = `id: t
title: T
inputs: [{ name: go, default: true }]
steps:
  - { id: a, run: echo a }
  - { id: b, run: "echo \${{ steps.a.outputs.stdout }}", if: "inputs.go" }
`;

describe('reduce', () => {
  it('Given a new run, When it starts, Then the first step is started with its resolved input', () => {
    const [state, effects] = start(two);
    expect(state.status.kind).toBe('running');
    expect(effects).toEqual([
      { type: 'start-step', stepId: 'a', attempt: 1, with: { command: 'echo a' } },
    ]);
  });

  it('Given a step succeeded, When the next step reads its output, Then the command names a variable and the value is in its environment', () => {
    const [s1] = start(two);
    const [s2] = reduce(s1, { type: 'step-started', stepId: 'a', attempt: 1, with: {} });
    const [, effects] = reduce(s2, {
      type: 'step-succeeded',
      stepId: 'a',
      outputs: { stdout: 'hello' },
    });
    expect(effects).toEqual([
      {
        type: 'start-step',
        stepId: 'b',
        attempt: 1,
        with: {
          command: 'echo ${VR_STEPS_A_OUTPUTS_STDOUT}',
          env: { VR_STEPS_A_OUTPUTS_STDOUT: 'hello' },
        },
      },
    ]);
  });

  it('Given an if that is false, When the step is reached, Then a skip is emitted (and journaled)', () => {
    const [state, effects] = start(
      two
        .replace('inputs.go', '!inputs.go')
        .replace('{ id: a, run: echo a }', '{ id: a, run: echo a, if: "false" }'),
    );
    expect(effects).toEqual([
      { type: 'emit', event: { type: 'step-skipped', stepId: 'a', reason: 'if: false was false' } },
    ]);
    expect(state.cursor).toBe(0);
  });

  it('Given retry attempts remain, When a step fails, Then a retry is scheduled with the delay', () => {
    const [s1] = start(
      'id: t\ntitle: T\nsteps:\n  - { id: a, run: "false", retry: { attempts: 3, delay: 2s } }\n',
    );
    const [s2, effects] = reduce(s1, {
      type: 'step-failed',
      stepId: 'a',
      attempt: 1,
      error: 'boom',
    });
    expect(s2.steps.a?.kind).toBe('retry-wait');
    expect(effects).toEqual([
      {
        type: 'schedule-retry',
        stepId: 'a',
        delayMs: 2000,
        attempt: 2,
        with: { command: 'false' },
      },
    ]);
    const [s3, last] = reduce(s2, { type: 'step-failed', stepId: 'a', attempt: 3, error: 'boom' });
    expect(s3.steps.a?.kind).toBe('failed');
    expect(last).toEqual([
      {
        type: 'emit',
        event: { type: 'run-finished', outcome: { kind: 'failed', stepId: 'a', error: 'boom' } },
      },
    ]);
  });

  it('Given on-failure names a later step, When the step fails, Then steps between are passed over and the run ends failed', () => {
    const yaml =
      'id: t\ntitle: T\nsteps:\n  - { id: a, run: "false", on-failure: rescue }\n  - { id: b, run: "true" }\n  - { id: rescue, run: "true" }\n';
    const [s1] = start(yaml);
    const [s2, e2] = reduce(s1, { type: 'step-failed', stepId: 'a', attempt: 1, error: 'boom' });
    expect(e2[0]).toMatchObject({ type: 'start-step', stepId: 'rescue' });
    const [, e3] = reduce(s2, { type: 'step-succeeded', stepId: 'rescue', outputs: {} });
    expect(e3).toEqual([
      {
        type: 'emit',
        event: { type: 'run-finished', outcome: { kind: 'failed', stepId: 'a', error: 'boom' } },
      },
    ]);
  });

  it('Given on-failure continue, When the step fails, Then the run goes on and succeeds noting it', () => {
    const [s1] = start(
      'id: t\ntitle: T\nsteps:\n  - { id: a, run: "false", on-failure: continue }\n',
    );
    const [, effects] = reduce(s1, { type: 'step-failed', stepId: 'a', attempt: 1, error: 'x' });
    expect(effects).toEqual([
      {
        type: 'emit',
        event: { type: 'run-finished', outcome: { kind: 'succeeded', failedButContinued: ['a'] } },
      },
    ]);
  });

  it('Given a destructive step, When it is reached, Then confirmation comes before execution', () => {
    const [s1, effects] = start(
      'id: t\ntitle: T\nsteps:\n  - { id: a, run: "true", destructive: true }\n',
    );
    expect(effects).toEqual([{ type: 'confirm-destructive', stepId: 'a' }]);
    const [, e2] = reduce(s1, { type: 'destructive-confirmed', stepId: 'a', by: 'op' });
    expect(e2[0]).toMatchObject({ type: 'start-step', stepId: 'a' });
  });

  it('Given a running step, When abort is requested, Then the step is cancelled and the run ends aborted after it fails', () => {
    const [s1] = start(two);
    const [s2] = reduce(s1, { type: 'step-started', stepId: 'a', attempt: 1, with: {} });
    const [s3, e3] = reduce(s2, { type: 'abort-requested', reason: 'ctrl-c', by: 'op' });
    expect(e3).toEqual([{ type: 'cancel-step', stepId: 'a' }]);
    const [, e4] = reduce(s3, {
      type: 'step-failed',
      stepId: 'a',
      attempt: 1,
      error: 'killed',
      aborted: true,
    });
    expect(e4).toEqual([
      {
        type: 'emit',
        event: { type: 'run-finished', outcome: { kind: 'aborted', reason: 'ctrl-c' } },
      },
    ]);
  });

  it('Given a dry-run, When steps are reached, Then each is planned with unknown outputs as placeholders', () => {
    const [s1, e1] = start(two, true);
    expect(e1).toEqual([{ type: 'plan-step', stepId: 'a', with: { command: 'echo a' } }]);
    const [, e2] = reduce(s1, { type: 'step-planned', stepId: 'a', with: {}, would: 'x' });
    expect(e2[0]).toMatchObject({ type: 'plan-step', stepId: 'b' });
    expect((e2[0] as { with: unknown }).with).toEqual({
      command: 'echo ${VR_STEPS_A_OUTPUTS_STDOUT}',
      env: { VR_STEPS_A_OUTPUTS_STDOUT: '<steps.a.outputs.stdout>' },
    });
  });

  it('Given a journal cut off mid-step, When replayed and resumed, Then the started step is probed, not blindly re-run', () => {
    const rb = runbookFrom(two);
    const events: RunEvent[] = [
      { type: 'run-started', meta, runbookTitle: 'T' },
      { type: 'step-started', stepId: 'a', attempt: 1, with: {} },
      { type: 'step-succeeded', stepId: 'a', outputs: { stdout: 'x' } },
      { type: 'step-started', stepId: 'b', attempt: 1, with: {} },
      { type: 'step-process', stepId: 'b', pid: 4242 },
    ];
    const state = replay(
      events.map((event) => ({ event, time: '2026-01-01T00:00:00Z' })),
      () => initialState(rb, meta),
    );
    expect(state.steps.a?.kind).toBe('succeeded');
    const [s2, effects] = reduce(state, { type: 'run-resumed', by: 'op' });
    expect(effects).toEqual([
      {
        type: 'probe',
        stepId: 'b',
        attempt: 1,
        with: {
          command: 'echo ${VR_STEPS_A_OUTPUTS_STDOUT}',
          env: { VR_STEPS_A_OUTPUTS_STDOUT: 'x' },
        },
        pid: 4242,
      },
    ]);
    const [, e3] = reduce(s2, {
      type: 'step-probed',
      stepId: 'b',
      tookEffect: false,
      detail: 'no',
    });
    expect(e3[0]).toMatchObject({ type: 'start-step', stepId: 'b', attempt: 2 });
  });

  it('Given apply, When the same events are folded twice, Then the states are equal (replay is deterministic)', () => {
    const rb = runbookFrom(two);
    const evs: RunEvent[] = [
      { type: 'run-started', meta, runbookTitle: 'T' },
      { type: 'step-started', stepId: 'a', attempt: 1, with: {} },
      { type: 'step-failed', stepId: 'a', attempt: 1, error: 'e' },
    ];
    const fold = (): RunState =>
      evs.reduce((s, e) => apply(s, e, '2026-01-01T00:00:00Z'), initialState(rb, meta));
    expect(fold()).toEqual(fold());
  });
});
