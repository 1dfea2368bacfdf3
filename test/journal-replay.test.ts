import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournalLines } from '../src/adapters/journal.js';
import { createRun } from '../src/app/session.js';
import { replay } from '../src/engine/reducer.js';
import { initialState } from '../src/engine/state.js';
import { ScriptedHuman } from '../src/headless/answers.js';
import { tempState } from './support/cli.js';

/**
 * `resume` rebuilds a run's state by folding its journal through the reducer. Here the journal
 * comes from a real run (the interpreter, real shell steps through execa, a person's answer,
 * a retry, a skipped step, a failure that is let through), written to disk by the real journal;
 * folded back, it must give exactly the state the live run ended in.
 */
const runbook = (mark: string): string => `id: replayed
title: A run to replay
inputs:
  - { name: who, default: operator }
steps:
  - id: hello
    title: Say hello
    run: |
      echo "hello"
      echo "::set-output greeting=hi"
  - id: flaky
    title: Fails once, then works
    run: |
      if [ ! -e ${mark} ]; then touch ${mark}; echo not yet >&2; exit 1; fi
      echo second time lucky
    retry: { attempts: 2, delay: 1ms }
  - id: ready
    title: Confirm
    uses: human.confirm
    with: { message: "Go on, \${{ inputs.who }}?" }
  - id: never
    title: Skipped
    if: "false"
    run: echo never
  - id: broken
    title: Fails, and the run goes on
    run: exit 3
    on-failure: continue
  - id: last
    title: Uses earlier outputs
    run: echo "\${{ steps.hello.outputs.greeting }} \${{ steps.ready.outputs.confirmed }}"
`;

describe('journal replay', () => {
  it('Given a journal written by a real run, When folded through the reducer, Then it gives the state the live run ended in', async () => {
    const { dir, env } = tempState();
    const file = join(dir, 'replayed.yaml');
    // A temp path without quotes or spaces, written into the runbook as plain text.
    writeFileSync(file, runbook(join(dir, 'flaky-mark')));
    const session = createRun(
      { runbookRef: file },
      { human: new ScriptedHuman({ ready: 'yes' }), env },
    );
    let result;
    try {
      result = await session.go();
    } finally {
      session.close();
    }
    expect(result.exitCode, JSON.stringify(session.interpreter.state.steps)).toBe(0);
    const live = session.interpreter.state;
    // The run went through what replay must reproduce.
    expect(live.steps.flaky).toMatchObject({ kind: 'succeeded', attempt: 2 });
    expect(live.steps.never?.kind).toBe('skipped');
    expect(live.steps.broken?.kind).toBe('failed');
    expect(live.steps.ready?.kind).toBe('succeeded');

    const lines = readJournalLines(session.journalPath ?? '');
    expect(lines.every((l) => l.record)).toBe(true);
    const folded = replay(
      lines.map((l) => ({ event: l.record!.event, time: l.record!.time })),
      (first) => initialState(live.runbook, first.meta, live.profile),
    );
    // Step durations are left out: the live run times a step with the interpreter's clock, the
    // journal stamps each record when it writes it, so a replayed duration can differ by a few
    // ms (noted for the journal's owner: the record could carry the interpreter's time).
    const comparable = (s: unknown): unknown =>
      JSON.parse(JSON.stringify(s, (k, v: unknown) => (k === 'durationMs' ? undefined : v)));
    expect(comparable(folded)).toEqual(comparable(live));
  });
});
