#!/usr/bin/env node
// Benchmarks print figures; nothing here passes or fails on time. Run after `npm run build`.
// The journal scan runs at every `run`/`list`/`status`/TUI start: its cost over a state dir of
// many busy journals, against reading every journal whole twice (what it replaced).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { FsJournal, journalPath, listRuns, readJournalLines } = await import(
  join(root, 'dist/adapters/journal.js')
);
const { loadJournalKey } = await import(join(root, 'dist/adapters/journal-key.js'));
const { pastRuns } = await import(join(root, 'dist/adapters/journal-scan.js'));
const { runsDir } = await import(join(root, 'dist/adapters/paths.js'));

const RUNS = Number(process.argv[2] ?? 200);
const OUTPUT_LINES = Number(process.argv[3] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'vr-bench-scan-'));
const env = { XDG_STATE_HOME: join(dir, 's'), XDG_CONFIG_HOME: join(dir, 'c') };
const key = loadJournalKey(env, { create: true });
for (let r = 0; r < RUNS; r++) {
  const runId = `bench-20260101T${String(r).padStart(6, '0')}-abcdef`;
  const j = FsJournal.create(journalPath(runId, env), runId, { operator: 'bench', key });
  j.append({
    type: 'run-started',
    runbookTitle: 'bench',
    meta: { runId, runbookFile: 'b.yaml', runbookSha256: 'x', inputs: {}, dryRun: false },
  });
  j.append({ type: 'step-started', stepId: 's', attempt: 1, with: { big: 'x'.repeat(2000) } });
  for (let i = 0; i < OUTPUT_LINES; i++)
    j.append({
      type: 'step-output',
      stepId: 's',
      stream: 'stdout',
      lines: [`line ${i} `.repeat(8)],
    });
  j.append({ type: 'step-succeeded', stepId: 's', outputs: {} });
  j.append({ type: 'run-finished', outcome: { kind: 'succeeded', failedButContinued: [] } });
  j.close();
}

function time(label, f) {
  f(); // warm
  const t0 = process.hrtime.bigint();
  const n = 5;
  for (let i = 0; i < n; i++) f();
  console.log(`${label}: ${(Number(process.hrtime.bigint() - t0) / 1e6 / n).toFixed(1)} ms`);
}

// What pastRuns did before: every journal parsed whole by listRuns, then again.
const twice = () =>
  listRuns(env).map((r) => readJournalLines(join(runsDir(env), `${r.runId}.jsonl`)));
console.log(`${RUNS} journals of ${OUTPUT_LINES + 4} records each`);
time('every journal parsed whole, twice (before)', twice);
time('pastRuns scan (header, markers, successes, ending)', () => pastRuns(env));
rmSync(dir, { recursive: true, force: true });
