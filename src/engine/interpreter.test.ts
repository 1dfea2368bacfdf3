import { describe, expect, it } from 'vitest';
import { Secret } from '../domain/secret.js';
import {
  FakeProcess,
  interpreterFor,
  runbookFrom,
  ScriptedAnswers,
} from '../test-support/fakes.js';
import type { HumanAnswer } from './human.js';

describe('interpreter', () => {
  it('Given a secret entered by a person, When a later command prints it, Then the journal and output only see ‹redacted›', async () => {
    const share = `share-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const rb = runbookFrom(
      `id: t\ntitle: T\nsteps:\n  - { id: s, uses: human.secret, with: { message: share } }\n  - { id: p, run: 'echo "$SHARE"', env: { SHARE: "\${{ steps.s.outputs.value }}" } }\n`,
    );
    const proc = new FakeProcess((_cmd, opts) => {
      opts.onLine('stdout', `got ${opts.env?.SHARE ?? ''}`);
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    const human = new ScriptedAnswers((): HumanAnswer => ({
      type: 'secret',
      value: new Secret(share),
    }));
    const { run, events } = interpreterFor(rb, { process: proc, human });
    const result = await run();
    expect(result).toMatchObject({ kind: 'finished', outcome: { kind: 'succeeded' } });
    // The command gets the real value through its environment, never on its command line…
    expect(proc.calls[0]).toBe('echo "$SHARE"');
    // …but nothing recorded holds it.
    const journal = JSON.stringify(events);
    expect(journal).not.toContain(share);
    expect(journal).toContain('got ‹redacted›');
  });

  it('Given a secret in a run body, When the step runs, Then the command gets it only through its environment', async () => {
    const rb = runbookFrom(
      `id: t\ntitle: T\nsteps:\n  - { id: s, uses: human.secret, with: { message: share } }\n  - { id: p, run: "SHARE=\${{ steps.s.outputs.value }} use" }\n`,
    );
    const proc = new FakeProcess();
    const { run, events } = interpreterFor(rb, {
      process: proc,
      human: new ScriptedAnswers(() => ({ type: 'secret', value: new Secret('abcdefgh') })),
    });
    await expect(run()).resolves.toMatchObject({ exitCode: 0 });
    expect(proc.calls).toEqual(['SHARE=${VR_STEPS_S_OUTPUTS_VALUE} use']);
    expect(JSON.stringify(events)).not.toContain('abcdefgh');
  });

  it("Given a secret in a command's arguments in a run body, When the step is reached, Then it fails before anything runs, saying why", async () => {
    const rb = runbookFrom(
      `id: t\ntitle: T\nsteps:\n  - { id: s, uses: human.secret, with: { message: share } }\n  - { id: p, run: "/bin/sh -c 'sleep 3' argv0 \\"\${{ steps.s.outputs.value }}\\"" }\n`,
    );
    const proc = new FakeProcess();
    const { run, events } = interpreterFor(rb, {
      process: proc,
      human: new ScriptedAnswers(() => ({ type: 'secret', value: new Secret('abcdefgh') })),
    });
    await expect(run()).resolves.toMatchObject({
      exitCode: 1,
      outcome: { error: expect.stringMatching(/a secret here would be in a command's arguments/) },
    });
    expect(proc.calls).toEqual([]);
    expect(JSON.stringify(events)).not.toContain('abcdefgh');
  });

  it('Given a secret spliced into a text input, When the step is reached, Then it fails instead of leaking or mangling it', async () => {
    const rb = runbookFrom(
      `id: t\ntitle: T\nsteps:\n  - { id: s, uses: human.secret, with: { message: share } }\n  - { id: p, uses: human.confirm, with: { message: "go \${{ steps.s.outputs.value }}?" } }\n`,
    );
    const { run } = interpreterFor(rb, {
      human: new ScriptedAnswers(() => ({ type: 'secret', value: new Secret('abcdefgh') })),
    });
    await expect(run()).resolves.toMatchObject({
      exitCode: 1,
      outcome: { error: expect.stringMatching(/cannot be put into text/) },
    });
  });

  it('Given a step with a timeout, When the action hangs, Then it fails with a timeout and is retried', async () => {
    let calls = 0;
    const proc = new FakeProcess(
      (_cmd, opts) =>
        new Promise((resolve) => {
          calls++;
          if (calls === 2) resolve({ exitCode: 0, stdout: '', stderr: '' });
          opts.signal.addEventListener('abort', () =>
            resolve({ exitCode: 143, signal: 'SIGTERM', stdout: '', stderr: '' }),
          );
        }),
    );
    const rb = runbookFrom(
      'id: t\ntitle: T\nsteps:\n  - { id: a, run: hang, timeout: 0.05, retry: { attempts: 2 } }\n',
    );
    const { run, events } = interpreterFor(rb, { process: proc });
    const result = await run();
    expect(result).toMatchObject({ kind: 'finished', outcome: { kind: 'succeeded' } });
    expect(
      events.filter((e) => e.type === 'step-failed').map((e) => (e as { error: string }).error),
    ).toEqual(['timed out after 0s']);
    expect(calls).toBe(2);
  });

  it('Given a human step is waiting, When abort is requested, Then the run ends aborted (exit 3)', async () => {
    const rb = runbookFrom(
      'id: t\ntitle: T\nsteps:\n  - { id: c, uses: human.confirm, with: { message: go? } }\n',
    );
    const human = new ScriptedAnswers(
      (_id, _p, signal) =>
        new Promise((_r, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    );
    const { run, interpreter } = interpreterFor(rb, { human });
    const done = run();
    await new Promise((r) => setTimeout(r, 10));
    interpreter.abort('operator');
    await expect(done).resolves.toMatchObject({ exitCode: 3, outcome: { kind: 'aborted' } });
  });

  it('Given a confirm answered no, When the step runs, Then the run is aborted, not failed', async () => {
    const rb = runbookFrom(
      'id: t\ntitle: T\nsteps:\n  - { id: c, uses: human.confirm, with: { message: go? } }\n  - { id: d, run: "true" }\n',
    );
    const { run } = interpreterFor(rb, {
      human: new ScriptedAnswers(() => ({ type: 'confirm', value: false })),
    });
    await expect(run()).resolves.toMatchObject({ exitCode: 3 });
  });

  it('Given a destructive step, When the wrong cluster name is typed, Then nothing runs and the run aborts', async () => {
    const proc = new FakeProcess();
    const rb = runbookFrom(
      'id: t\ntitle: T\nsteps:\n  - { id: wipe, run: "rm -rf /tmp/x", destructive: true }\n',
    );
    const human = new ScriptedAnswers(() => ({ type: 'destructive', typed: 'staging' }));
    const { run, events } = interpreterFor(rb, { process: proc, human, clusterName: 'prod' });
    await expect(run()).resolves.toMatchObject({ exitCode: 3 });
    expect(proc.calls).toEqual([]);
    expect(events.some((e) => e.type === 'destructive-confirmed')).toBe(false);
  });

  it('Given set-output lines and an outputs map, When the step succeeds, Then both kinds of outputs are recorded', async () => {
    const proc = new FakeProcess((_c, opts) => {
      opts.onLine('stdout', '::set-output leader=node-2');
      opts.onLine('stdout', 'visible');
      return { exitCode: 0, stdout: 'visible\n', stderr: '' };
    });
    const rb = runbookFrom(
      'id: t\ntitle: T\nsteps:\n  - id: a\n    run: x\n    outputs: { upper: "${{ format(\'[{0}]\', steps.a.outputs.leader) }}" }\n',
    );
    const { run, events } = interpreterFor(rb, { process: proc });
    await run();
    expect(events.find((e) => e.type === 'step-succeeded')).toMatchObject({
      outputs: { leader: 'node-2', upper: '[node-2]', stdout: 'visible' },
    });
  });

  it('Given a failing precondition, When the run starts, Then no step runs and it ends with precondition-failed (exit 4)', async () => {
    const proc = new FakeProcess((cmd) => ({
      exitCode: cmd === 'check' ? 1 : 0,
      stdout: '',
      stderr: 'not reachable',
    }));
    const rb = runbookFrom(
      'id: t\ntitle: T\npreconditions:\n  - { run: check, message: cluster reachable }\nsteps:\n  - { id: a, run: "true" }\n',
    );
    const { run, events } = interpreterFor(rb, { process: proc });
    await expect(run()).resolves.toMatchObject({ exitCode: 4 });
    expect(proc.calls).toEqual(['check']);
    expect(events.find((e) => e.type === 'precondition-checked')).toMatchObject({
      ok: false,
      detail: 'not reachable',
    });
  });

  it('Given a retry whose inputs no longer render, When the retry comes, Then the step fails with the render error instead of running with raw ${{ }} text', async () => {
    const rb = runbookFrom(
      `id: t\ntitle: T\nsteps:\n  - id: p\n    run: 'echo "$LEADER"'\n    env: { LEADER: "\${{ cluster.leader.name }}" }\n    retry: { attempts: 2 }\n`,
    );
    const seen: string[] = [];
    const box: { dispatch?: (e: { type: 'cluster-updated'; cluster: unknown }) => void } = {};
    const proc = new FakeProcess((_cmd, opts) => {
      seen.push(opts.env?.LEADER ?? '');
      // The leader is gone from the cluster status before the retry renders its inputs.
      box.dispatch?.({ type: 'cluster-updated', cluster: {} });
      return { exitCode: 1, stdout: '', stderr: '' };
    });
    const { interpreter, run } = interpreterFor(rb, { process: proc });
    box.dispatch = (e) => interpreter.dispatch(e);
    interpreter.dispatch({ type: 'cluster-updated', cluster: { leader: { name: 'node-1' } } });
    const result = await run();
    expect(result).toMatchObject({ exitCode: 1 });
    expect(seen).toEqual(['node-1']);
    expect(JSON.stringify(interpreter.state.steps.p)).toMatch(/inputs could not be rendered/);
  });
});
