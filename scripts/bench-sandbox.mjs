#!/usr/bin/env node
// Seconds from `sandbox up` to "3 nodes answering sys/health", with the tools already cached.
// A figure, not an assertion. Run after `npm run build`:
//   node scripts/bench-sandbox.mjs [runs]        (default 3 runs; each in fresh temp dirs)
// It uses its own addresses (scripts/bench-slot.mjs: a slot no test uses) and stops every
// sandbox it starts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchSlot } from './bench-slot.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'vault-runbook.js');
const runs = Number(process.argv[2] ?? 3);

const provision = spawnSync('bash', [join(root, 'scripts', 'ensure-tools.sh')], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, ENSURE_TOOLS_QUIET: '1' },
});
if (provision.status !== 0) {
  console.error('bench-sandbox: scripts/ensure-tools.sh failed');
  process.exit(1);
}

const cli = (args, env) =>
  spawnSync(process.execPath, [bin, 'sandbox', ...args], { env, encoding: 'utf8' });

const figures = [];
for (let i = 1; i <= runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'vr-bench-sandbox-'));
  const env = {
    ...process.env,
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    VAULT_RUNBOOK_SANDBOX_SLOT: benchSlot('sandbox'),
    CI: 'true',
  };
  const t0 = process.hrtime.bigint();
  const up = cli(['up'], env);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const down = cli(['down', '--purge'], env);
  rmSync(dir, { recursive: true, force: true });
  if (up.status !== 0) {
    console.error(`run ${i}: sandbox up failed (exit ${up.status})\n${up.stdout}\n${up.stderr}`);
    process.exit(1);
  }
  if (down.status !== 0)
    console.error(`run ${i}: sandbox down: exit ${down.status}\n${down.stderr}`);
  const m = /answering after ([\d.]+) s/.exec(up.stdout);
  console.log(
    `run ${i}: sandbox up → 3 nodes answering: ${seconds.toFixed(2)} s (as up measured: ${m?.[1] ?? '?'} s)`,
  );
  figures.push(seconds);
}
figures.sort((a, b) => a - b);
const median = figures[Math.floor(figures.length / 2)];
console.log(
  `sandbox up, cached tools: median ${median.toFixed(2)} s over ${figures.length} run(s) (min ${figures[0].toFixed(2)} s, max ${figures[figures.length - 1].toFixed(2)} s)`,
);
