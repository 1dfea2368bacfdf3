#!/usr/bin/env node
// What one status round costs the process: user+sys CPU and heap allocated per round of the
// screen poller's collection (collectStatus with its lock-holder memo) over the sandbox's six
// nodes, 3 + 3, rounds back to back. The Vault side only: the AWS part is read every 15-60 s
// while idle, not every round. Figures, not assertions. After `npm run build`:
//   node scripts/bench-status-round.mjs [rounds] [--compare DIR]
// (rounds default 200.) The idle TUI's CPU (bench-tui.mjs) moves by ±30 % between windows: its
// redraws, V8's optimizing and collections come in bursts. A round's own cost, measured over
// many rounds, is what a change to the status path moves. --compare DIR: another build (see
// bench-tui.mjs), its runs alternating with this tree's, three each, in fresh processes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { benchSlot } from './bench-slot.mjs';
import { sixNodeSandbox } from './bench-six.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** In a child process: the rounds of one build, against the profile given. */
async function child(root, profileFile, rounds) {
  const { loadProfile } = await import(join(root, 'dist', 'app', 'profiles.js'));
  const { clusterPorts } = await import(join(root, 'dist', 'app', 'cluster-ports.js'));
  const { collectStatus, LeaderMemo } = await import(join(root, 'dist', 'app', 'status.js'));
  const profile = loadProfile(profileFile);
  const { vault } = clusterPorts(profile, process.env);
  const leaders = new LeaderMemo(15_000);
  const signal = new AbortController().signal;
  const round = () => collectStatus(profile, vault, undefined, signal, { leaders });
  for (let i = 0; i < 10; i++) await round(); // connections open, code loaded
  let scavenges = 0;
  new PerformanceObserver((l) => (scavenges += l.getEntries().length)).observe({
    entryTypes: ['gc'],
  });
  let grown = 0;
  let counted = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const h0 = process.memoryUsage().heapUsed;
    const g0 = scavenges;
    const s = await round();
    if ([...s.nodes, ...(s.failover?.drNodes ?? [])].filter((n) => n.reachable).length < 6)
      throw new Error('a node did not answer: the figures would not be one round of six');
    await new Promise((r) => setImmediate(r)); // the GC entries of the round are in
    const h1 = process.memoryUsage().heapUsed;
    // Allocation is the heap's growth over a round without a collection in it.
    if (scavenges === g0 && h1 > h0) {
      grown += h1 - h0;
      counted++;
    }
    await sleep(5);
  }
  const c = process.cpuUsage(c0);
  vault.close?.();
  console.log(
    JSON.stringify({
      cpuMs: (c.user + c.system) / 1000 / rounds,
      kib: counted ? grown / counted / 1024 : NaN,
      gcs: scavenges,
    }),
  );
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], Number(process.argv[5]));
  process.exit(0);
}

const root = resolve(import.meta.dirname, '..');
const option = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(
  process.argv.find((a, i) => /^\d+$/.test(a) && !/^--/.test(process.argv[i - 1] ?? '')) ?? 200,
);
const builds = [
  { name: 'this tree', root },
  ...(option('--compare') ? [{ name: 'compared', root: resolve(option('--compare')) }] : []),
];
const dir = mkdtempSync(join(tmpdir(), 'vr-bench-round-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  VAULT_RUNBOOK_SANDBOX_SLOT: benchSlot('status'),
  CI: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
delete env.VAULT_RUNBOOK_PROFILE;
const bin = join(root, 'bin', 'vault-runbook.js');
const cli = (args) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
try {
  const { layout: l, answering } = await sixNodeSandbox(root, env, cli);
  if (answering < 6) throw new Error(`only ${answering} of 6 nodes answer`);
  const runs = builds.map(() => []);
  for (let i = 0; i < 3; i++)
    for (const [k, b] of builds.entries()) {
      const r = spawnSync(
        process.execPath,
        [import.meta.filename, '--child', b.root, l.profileFile, String(rounds)],
        { env, encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`${b.name}: exit ${r.status}\n${r.stderr}`);
      runs[k].push(JSON.parse(r.stdout.trim().split('\n').at(-1)));
    }
  const range = (xs, f) =>
    `${Math.min(...xs).toFixed(f)}-${Math.max(...xs).toFixed(f)}`.replace(/^(.+)-\1$/, '$1');
  for (const [k, b] of builds.entries())
    console.log(
      `status round, 6 nodes${builds.length > 1 ? ` [${b.name}]` : ''}: CPU ${range(
        runs[k].map((r) => r.cpuMs),
        2,
      )} ms/round, heap ${range(
        runs[k].map((r) => r.kib),
        0,
      )} KiB/round, ${range(
        runs[k].map((r) => r.gcs),
        0,
      )} collections per ${rounds} rounds (3 runs; load average ${loadavg()[0].toFixed(2)})`,
    );
} catch (err) {
  console.log(`status round figures: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  const down = cli(['sandbox', 'down', '--purge']);
  if (down.status !== 0) console.log(`sandbox down: exit ${down.status}\n${down.stderr}`);
  rmSync(dir, { recursive: true, force: true });
}
