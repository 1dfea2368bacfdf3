import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../domain/secret.js';
import { FakeAws } from '../../../test-support/fake-aws.js';
import { FakeVault } from '../../../test-support/fake-vault.js';
import {
  FakeProcess,
  instantClock,
  runbookFrom,
  ScriptedAnswers,
} from '../../../test-support/fakes.js';
import { profile } from '../../../test-support/s3-recovery-ctx.js';
import { Interpreter } from '../../interpreter.js';
import { initialState, replay } from '../../reducer.js';
import type { RunEvent } from '../../state.js';
import { builtinRegistry } from '../builtin.js';

describe('the stop step resumed after a SIGKILL', () => {
  it('Given a run killed right after the stop scaled the group to 0, When resumed ten minutes later, Then the probe takes the journaled stop time as the start of the downtime, not the resume’s', async () => {
    const aws = new FakeAws();
    const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
    await aws.scaleAsg('vault-primary', 0, 'us-east-1', AbortSignal.timeout(1000), 0);
    vault.state('node-1').down = true;
    const rb = runbookFrom('id: t\ntitle: T\nsteps:\n  - { id: stop, uses: aws.asg-stop-vault }\n');
    const meta = {
      runId: 'r1',
      runbookFile: 't.yaml',
      runbookSha256: 'x',
      inputs: {},
      dryRun: false,
    };
    const stoppedAt = '2025-12-31T23:50:00.000Z';
    // The journal the killed run left: the stop started, nothing after it.
    const journal: { event: RunEvent; time: string }[] = [
      { event: { type: 'run-started', meta, runbookTitle: 'T' }, time: '2025-12-31T23:49:59.000Z' },
      {
        event: { type: 'step-started', stepId: 'stop', attempt: 1, with: {}, cluster: 'stops' },
        time: stoppedAt,
      },
    ];
    const events: RunEvent[] = [];
    const interpreter = new Interpreter(
      replay(journal, () => initialState(rb, meta, profile)),
      {
        registry: builtinRegistry(),
        // The clock reads 2026-01-01T00:00:00Z: ten minutes after the stop.
        ports: {
          process: new FakeProcess(),
          clock: instantClock,
          human: new ScriptedAnswers(() => Promise.reject(new Error('no human here'))),
          vault,
          aws,
        },
        journal: { append: (e) => events.push(JSON.parse(JSON.stringify(e)) as RunEvent) },
        redactor: new Redactor(),
        operator: 'tester',
        clusterName: 'prod',
        outputFlushMs: 1,
      },
    );
    await expect(interpreter.resume()).resolves.toMatchObject({ exitCode: 0 });
    const probed = events.find((e) => e.type === 'step-probed');
    expect(probed).toMatchObject({ tookEffect: true, outputs: { stoppedAt } });
  });
});
