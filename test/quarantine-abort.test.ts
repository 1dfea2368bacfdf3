import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { summarise } from '../src/adapters/journal-scan.js';
import { parseRunbook } from '../src/domain/load.js';
import { Redactor } from '../src/domain/secret.js';
import { builtinRegistry } from '../src/engine/actions/builtin.js';
import type { ActionDef } from '../src/engine/actions/types.js';
import { Interpreter } from '../src/engine/interpreter.js';
import { initialState } from '../src/engine/reducer.js';
import { pendingResidues, residueLines } from '../src/engine/residue.js';
import type { RunEvent } from '../src/engine/state.js';
import { FakeProcess, instantClock, ScriptedAnswers } from '../src/test-support/fakes.js';

/**
 * Ctrl-C during an S3 quarantine: the destroy step runs before the run ends, its outcome is
 * journaled, and what it could not remove is warned about on every start (the journal scan),
 * with the commands to remove it, until ack-stop. The quarantine's own actions are declared
 * as creating and removing it (checked at the end); here two small actions stand for them.
 */
const RUN_ID = 's3-secret-recovery-20261129T115237-abcdef';
const Empty = z.strictObject({});

function world(stuck: boolean) {
  const made = new Set<string>();
  const make: ActionDef<Record<string, never>> = {
    id: 't.make-quarantine',
    summary: 'make',
    input: Empty,
    idempotent: true,
    human: false,
    residue: 'creates',
    describe: () => 'make a quarantine',
    run: () => {
      made.add('bucket');
      return Promise.resolve({});
    },
  };
  const destroy: ActionDef<Record<string, never>> = {
    id: 't.destroy-quarantine',
    summary: 'destroy',
    input: Empty,
    idempotent: true,
    human: false,
    residue: 'removes',
    describe: () => 'destroy the quarantine',
    run: (ctx) => {
      // The run's own signal is aborted by now: the removal must get one of its own.
      if (ctx.signal.aborted) return Promise.reject(new Error('removal given an aborted signal'));
      if (stuck)
        return Promise.reject(
          new Error('the quarantine is NOT fully destroyed: bucket x still exists'),
        );
      made.clear();
      ctx.log('quarantine destroyed');
      return Promise.resolve({});
    },
  };
  return { made, registry: builtinRegistry([make, destroy]) };
}

async function abortedRun(stuck: boolean) {
  const { made, registry } = world(stuck);
  const rb = parseRunbook(
    'id: s3-secret-recovery\ntitle: T\nsteps:\n  - { id: quarantine, uses: t.make-quarantine, on-failure: destroy }\n  - { id: node-unseal, uses: human.confirm, with: { message: share? }, on-failure: destroy }\n  - { id: destroy, uses: t.destroy-quarantine }\n',
    'test.yaml',
    { knownActions: registry.ids() },
  ).value!;
  const recs: { time: string; event: RunEvent }[] = [];
  let tick = 0;
  const human = new ScriptedAnswers(
    (_id, _p, signal) =>
      new Promise((_r, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      ),
  );
  const interpreter = new Interpreter(
    initialState(rb, {
      runId: RUN_ID,
      runbookFile: 'x.yaml',
      runbookSha256: 'x',
      inputs: {},
      dryRun: false,
    }),
    {
      registry,
      ports: { process: new FakeProcess(), clock: instantClock, human },
      journal: {
        append: (e) =>
          recs.push({
            time: new Date(Date.UTC(2026, 10, 29, 12, 0, tick++)).toISOString(),
            event: JSON.parse(JSON.stringify(e)) as RunEvent,
          }),
      },
      redactor: new Redactor(),
      operator: 'tester',
      clusterName: 'prod',
      outputFlushMs: 1,
    },
  );
  const done = interpreter.start(rb.title);
  for (let i = 0; i < 100 && !recs.some((r) => r.event.type === 'step-awaiting-human'); i++)
    await new Promise((r) => setTimeout(r, 5));
  interpreter.abort('ctrl-c');
  const result = await done;
  return { made, recs, result, run: summarise(RUN_ID, recs) };
}

describe('quarantine: an abort does not leave it behind silently', () => {
  it('Given a quarantine made and a keyholder step waiting, When the run is aborted, Then the destroy step runs before the run ends, says so in the journal, and nothing is warned about', async () => {
    const { made, recs, result, run } = await abortedRun(false);
    expect(result).toMatchObject({ exitCode: 3, outcome: { kind: 'aborted' } });
    expect(made.size).toBe(0);
    const types = recs.map((r) => r.event.type);
    expect(types.indexOf('residue-removed')).toBeGreaterThan(-1);
    expect(types.indexOf('residue-removed')).toBeLessThan(types.indexOf('run-finished'));
    expect(recs.find((r) => r.event.type === 'residue-removed')?.event).toMatchObject({
      stepId: 'destroy',
      ok: true,
    });
    expect(JSON.stringify(recs)).toContain('quarantine destroyed');
    expect(run.residueLeft).toBeUndefined();
    expect(residueLines([run])).toEqual([]);
  });

  it('Given the destroy after the abort fails, When the journals are scanned at a later start, Then one warning names the run, the node and bucket, why, the commands to remove them and ack-stop', async () => {
    const { made, run } = await abortedRun(true);
    expect(made.size).toBe(1);
    const [line, ...more] = residueLines([run]);
    expect(more).toEqual([]);
    expect(line).toContain(`run ${RUN_ID} (s3-secret-recovery) made an S3 quarantine`);
    expect(line).toContain('recovery node q-y-20261129t115237-abcdef');
    expect(line).toContain('ended (aborted) without removing it');
    expect(line).toContain('bucket x still exists');
    expect(line).toContain(
      'aws s3 rb s3://vault-quarantine-s3-secret-recovery-20261129t115237-abcdef --force',
    );
    expect(line).toContain('aws ec2 terminate-instances');
    expect(line).toContain('vault-runbook sandbox recovery-node stop q-y-20261129t115237-abcdef');
    expect(line).toContain(`vault-runbook ack-stop ${RUN_ID}`);
    // The operator's acknowledgement (an ack-stop run) clears it.
    const ack = { ...summarise('ack-stop-20261129T130000-aaaaaa', []), acknowledges: RUN_ID };
    expect(pendingResidues([run, ack])).toEqual([]);
  });

  it('Given the real quarantine actions, When registered, Then create and node start are declared as making the quarantine and destroy as removing it', () => {
    const r = builtinRegistry();
    expect(r.get('s3.quarantine-create')?.residue).toBe('creates');
    expect(r.get('vault.recovery-node-start')?.residue).toBe('creates');
    expect(r.get('s3.quarantine-destroy')?.residue).toBe('removes');
  });
});
