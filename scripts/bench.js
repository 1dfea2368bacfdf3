#!/usr/bin/env node
// Benchmarks print figures; nothing here passes or fails on time. Run after `npm run build`.
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { FsJournal } = await import(join(root, 'dist/adapters/journal.js'));
const { loadJournalKey } = await import(join(root, 'dist/adapters/journal-key.js'));

function journalRate(n) {
  const dir = mkdtempSync(join(tmpdir(), 'vr-bench-'));
  // A throwaway key in a temp config dir: the benchmark never touches the user's own key.
  const key = loadJournalKey({ XDG_CONFIG_HOME: join(dir, 'config') }, { create: true });
  const j = FsJournal.create(join(dir, 'r.jsonl'), 'bench', { operator: 'bench', key });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    j.append({ type: 'step-output', stepId: 's', stream: 'stdout', lines: [`line ${i}`] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  j.close();
  return { n, ms, perSecond: Math.round((n / ms) * 1000) };
}

function runOverhead() {
  const state = mkdtempSync(join(tmpdir(), 'vr-bench-state-'));
  const env = {
    ...process.env,
    XDG_STATE_HOME: state,
    XDG_CONFIG_HOME: join(state, 'config'),
    CI: 'true',
  };
  const t0 = Date.now();
  const r = spawnSync(
    'node',
    [join(root, 'bin/vault-runbook.js'), 'run', join(root, 'test/fixtures/two-steps.yaml')],
    { env },
  );
  return { ms: Date.now() - t0, exit: r.status };
}

const j = journalRate(500);
console.log(`journal: ${j.n} fsync'd records in ${j.ms.toFixed(0)} ms = ${j.perSecond} records/s`);
const o = runOverhead();
console.log(
  `headless run of a 2-step runbook (process start to exit): ${o.ms} ms (exit ${o.exit})`,
);

for (const extra of [
  'bench-startup.mjs',
  'bench-tui.mjs',
  'bench-tui-instructions.mjs',
  'bench-ink-frame.mjs',
  'bench-sandbox.mjs',
  'bench-unseal.mjs',
]) {
  const f = join(root, 'scripts', extra);
  if (!existsSync(f)) continue;
  console.log(`--- ${extra}`);
  try {
    execFileSync('node', [f], { stdio: 'inherit' });
  } catch {
    console.log(`${extra} did not finish`);
  }
}
