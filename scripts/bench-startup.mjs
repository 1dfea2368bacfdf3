#!/usr/bin/env node
// Start-up time of short commands, side by side with bare Node in the same run (interleaved,
// so a busy machine slows all of them alike). A figure, not an assertion. After `npm run build`:
//   node scripts/bench-startup.mjs [rounds]      (default 7)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'vault-runbook.js');
const rounds = Number(process.argv[2] ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'vr-bench-start-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  CI: 'true',
};
delete env.VAULT_RUNBOOK_PROFILE;

const commands = {
  'node -e 0': ['-e', '0'],
  '--version': [bin, '--version'],
  list: [bin, 'list'],
  lint: [bin, 'lint'],
};
/**
 * user+sys CPU of the children this process has waited for, in ms (Linux: cutime + cstime of
 * /proc/self/stat). Wall time depends on what else the machine runs; CPU time much less so.
 */
function childrenCpuMs() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[13]) + Number(rest[14])) * 10; // fields 16, 17 in ticks of 10 ms
  } catch {
    return NaN;
  }
}

const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const load = loadavg()[0];
for (let i = 0; i < rounds; i++)
  for (const [name, args] of Object.entries(commands)) {
    const c0 = childrenCpuMs();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    times[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu[name].push(childrenCpuMs() - c0);
    if (r.status !== 0) {
      console.error(`${name}: exit ${r.status}\n${r.stderr}`);
      process.exit(1);
    }
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
const baseCpu = median(cpu['node -e 0']);
console.log(`load average ${load.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  const c = median(cpu[name]);
  console.log(
    `${name.padEnd(10)} median ${m.toFixed(0).padStart(5)} ms  (${(m / base).toFixed(2)}× bare node; ${rounds} runs, min ${Math.min(...xs).toFixed(0)} ms); user+sys CPU median ${c.toFixed(0).padStart(4)} ms (${(c / baseCpu).toFixed(2)}×)`,
  );
}
