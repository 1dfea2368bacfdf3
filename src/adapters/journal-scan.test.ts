import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pendingStops } from '../engine/pending-stop.js';
import type { RunEvent } from '../engine/state.js';
import { writeAckStop } from './ack-stop-journal.js';
import {
  FsJournal,
  journalPath,
  readJournalLines,
  recordHash,
  type JournalRecord,
} from './journal.js';
import { loadJournalKey } from './journal-key.js';
import { pastRuns, summarise, summaryRecords } from './journal-scan.js';

const RUN = 's3-secret-recovery-20260101T000000-abcdef';
let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

function stateEnv(): NodeJS.ProcessEnv {
  tmp = mkdtempSync(join(tmpdir(), 'vr-scan-'));
  return { XDG_STATE_HOME: join(tmp, 's'), XDG_CONFIG_HOME: join(tmp, 'c') };
}

function write(env: NodeJS.ProcessEnv, runId: string, events: RunEvent[]): string {
  const key = loadJournalKey(env, { create: true });
  if (!key) throw new Error('no key');
  const path = journalPath(runId, env);
  const j = FsJournal.create(path, runId, { operator: 'op', key });
  for (const e of events) j.append(e);
  j.close();
  return path;
}

const header: RunEvent = {
  type: 'run-started',
  runbookTitle: 'Recover',
  meta: {
    runId: RUN,
    runbookFile: 'rb.yaml',
    runbookSha256: 'x',
    inputs: {},
    profileName: 'prod',
    dryRun: false,
  },
};

/** A busy run: output that quotes journal text, inputs and outputs that look like events. */
const busy: RunEvent[] = [
  header,
  { type: 'step-started', stepId: 'record', attempt: 1, with: { note: '"type":"run-finished"' } },
  ...Array.from({ length: 200 }, (_, i): RunEvent => ({
    type: 'step-output',
    stepId: 'record',
    stream: 'stdout',
    lines: [`line ${i} {"type":"run-finished","outcome":{"kind":"succeeded"}} "cluster":"stops"`],
  })),
  {
    type: 'step-succeeded',
    stepId: 'record',
    outputs: { nested: { type: 'run-finished' }, desired: 3, min: 3 },
  },
  { type: 'step-started', stepId: 'stop', attempt: 1, with: { desired: 3 }, cluster: 'stops' },
  { type: 'step-succeeded', stepId: 'stop', outputs: {} },
  { type: 'run-suspended', stepId: 'restore', reason: 'a person is awaited' },
  { type: 'run-resumed', by: 'op' },
];

describe('the journal scan', () => {
  it('Given a busy journal whose text quotes event types inside strings, When scanned, Then only the header and the records a summary needs are parsed, and the summary equals one made from every record', () => {
    const env = stateEnv();
    const path = write(env, RUN, busy);
    const text = readFileSync(path, 'utf8');
    const picked = summaryRecords(text);
    expect(picked.map((r) => r.event.type)).toEqual([
      'run-started',
      'step-succeeded',
      'step-started',
      'step-succeeded',
      'run-suspended',
      'run-resumed',
    ]);
    const every = readJournalLines(path).flatMap((l) => (l.record ? [l.record] : []));
    expect(summarise(RUN, picked)).toEqual(summarise(RUN, every));
    const [run] = pastRuns(env);
    expect(run).toMatchObject({
      runId: RUN,
      status: 'interrupted',
      succeeded: ['record', 'stop'],
      clusterStopped: { stepId: 'stop', bringBack: { desired: 3 } },
    });
  });

  it('Given a journal torn mid-record by a kill, When scanned, Then the records before the tear still make the summary', () => {
    const env = stateEnv();
    const path = write(env, RUN, busy.slice(0, 3));
    appendFileSync(path, '{"seq":3,"time":"2026-01-01T00:00:09Z","event":{"type":"step-succ');
    const [run] = pastRuns(env);
    expect(run).toMatchObject({ runId: RUN, status: 'interrupted', succeeded: [] });
  });

  it('Given an ack-stop for a stopped run, When scanned, Then it clears the stop; When an ack of another run is rewritten to name it (hashes recomputed without the key), Then it counts for nothing', () => {
    const env = stateEnv();
    write(env, RUN, [
      header,
      { type: 'step-started', stepId: 'stop', attempt: 1, with: {}, cluster: 'stops' },
      { type: 'run-finished', outcome: { kind: 'aborted', reason: 'ctrl-c' } },
    ]);
    const stopped = pastRuns(env)[0]!;
    expect(pendingStops(pastRuns(env))).toHaveLength(1);
    const ackId = writeAckStop(stopped, 'back by hand', env);
    expect(pastRuns(env).find((r) => r.runId === ackId)?.acknowledges).toBe(RUN);
    expect(pendingStops(pastRuns(env))).toEqual([]);

    // Forge: an acknowledgement of another run, rewritten to name RUN, chain recomputed.
    rmSync(journalPath(ackId, env));
    const otherAck = writeAckStop(
      { ...stopped, runId: 'other-20260101T000000-000000' },
      undefined,
      env,
    );
    const ackPath = journalPath(otherAck, env);
    const recs = readFileSync(ackPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JournalRecord);
    let prev = '0'.repeat(64);
    const forged = recs.map((r, i) => {
      const event =
        i === 0 && r.event.type === 'run-started'
          ? { ...r.event, meta: { ...r.event.meta, inputs: { run: RUN } } }
          : r.event;
      const base = {
        seq: r.seq,
        time: r.time,
        run: r.run,
        operator: r.operator,
        host: r.host,
        event,
        prev,
      };
      const hash = recordHash(base);
      prev = hash;
      return JSON.stringify({ ...base, hash, key: r.key, mac: r.mac });
    });
    writeFileSync(ackPath, `${forged.join('\n')}\n`);
    expect(pastRuns(env).find((r) => r.runId === otherAck)?.acknowledges).toBeUndefined();
    expect(pendingStops(pastRuns(env))).toHaveLength(1);
  });
});
