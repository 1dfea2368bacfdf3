#!/usr/bin/env node
// The TUI in a pseudo-terminal (150×45, via script(1)): time to the first frame (the runbook
// list), and — on a sandbox of its own, when the tools are built — time to the status rows,
// idle CPU with 6 nodes polled, and RSS. Figures, not assertions. After `npm run build`:
//   node scripts/bench-tui.mjs [runs] [--idle S] [--settle S] [--compare DIR]
// (runs default 3; --no-sandbox: first frame only.) --idle: the idle window in seconds (default
// 90): the screen's quiet work comes in bursts (an AWS read every 15-60 s, a redraw every 15 s,
// V8's idle-time collections), so a 30 s window moved by ±40 % between two runs of one build.
// --settle: seconds from the six rows to the window's start (default 5; see SETTLE_SECONDS).
// --compare DIR: another build (a checkout of main after `npm run build`, or a copy of its bin/
// and dist/ with node_modules beside them) measured in the same run on the same sandbox: its
// runs alternate with this tree's, and for the idle figure both TUIs run at once over the same
// window, so the machine's load falls on both alike. The window is also printed in thirds, to
// show its spread.
// The sandbox uses its own addresses (scripts/bench-slot.mjs: a slot no test uses, or
// VAULT_RUNBOOK_SANDBOX_SLOT) and is stopped at the end.
// Six nodes are the sandbox's own two regions, 3 + 3: its profile lists the DR nodes
// (vault.dr_addresses), and the DR Auto Scaling group is scaled to 3 for the run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchSlot } from './bench-slot.mjs';
import { sixNodeSandbox } from './bench-six.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'vault-runbook.js');
/** The value after a `--name` switch, if given. */
const option = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const compareRoot = option('--compare') ? resolve(option('--compare')) : undefined;
const IDLE_SECONDS = Number(option('--idle') ?? 90);
/**
 * How long after the six rows the idle window starts. The first minute or two after start are
 * not yet steady: V8 still optimizes what the rounds and redraws run, and its memory reducer
 * runs a few full collections once the start-up garbage settles (~0.3 s of CPU each, about a
 * minute and a half in). `--settle 120` measures the screen as it idles for long.
 */
const SETTLE_SECONDS = Number(option('--settle') ?? 5);
for (const [name, v] of [
  ['--idle', IDLE_SECONDS],
  ['--settle', SETTLE_SECONDS],
])
  if (!Number.isFinite(v) || v < (name === '--idle' ? 1 : 0)) {
    console.error(`${name} takes a number of seconds, not ${option(name)}`);
    process.exit(2);
  }
const runs = Number(
  process.argv.find((a, i) => /^\d+$/.test(a) && !/^--/.test(process.argv[i - 1] ?? '')) ?? 3,
);
const withSandbox = !process.argv.includes('--no-sandbox');
/** The builds measured: this tree's, and the one to compare with. */
const builds = [
  { name: 'this tree', bin },
  ...(compareRoot ? [{ name: 'compared', bin: join(compareRoot, 'bin', 'vault-runbook.js') }] : []),
];
/** All six rows (node-1…3, dr-node-1…3), each with the health code its node answered. */
const SIX_ROWS = {
  test: (text) =>
    ['node-1', 'node-2', 'node-3', 'dr-node-1', 'dr-node-2', 'dr-node-3'].every((n) =>
      new RegExp(`(^|[^-])${n} .*\\d{3}`, 'm').test(text),
    ),
  toString: () => 'six status rows',
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the TUI on a pty; resolves marks' times (ms from spawn) as they appear. */
function tui(env, binPath = bin) {
  const t0 = performance.now();
  const child = spawn(
    'script',
    ['-qfc', `stty cols 150 rows 45; exec ${process.execPath} ${binPath}`, '/dev/null'],
    { stdio: ['pipe', 'pipe', 'ignore'], env, detached: true },
  );
  let out = '';
  const waiters = [];
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) if (!w(out)) waiters.push(w);
  });
  return {
    child,
    when(re, timeoutMs = 30_000) {
      return new Promise((resolveTime, reject) => {
        const check = (text) => {
          if (!re.test(text)) return false;
          resolveTime(performance.now() - t0);
          return true;
        };
        if (check(out)) return;
        waiters.push(check);
        setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms`)), timeoutMs);
      });
    },
    /** The node process (script's child, after the shell's exec). */
    nodePid() {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      return Number(kids.split(/\s+/)[0]);
    },
    stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime (fields 14, 15)
}

function memory(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'vr-bench-tui-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  // Its own addresses; VAULT_RUNBOOK_SANDBOX_SLOT picks others when they are someone else's.
  VAULT_RUNBOOK_SANDBOX_SLOT: benchSlot('tui'),
  TERM: 'xterm-256color',
};
// Ink renders only the last frame when CI is set (even empty): a terminal has no CI.
delete env.CI;
delete env.VAULT_RUNBOOK_PROFILE;

// node -e 0 in the same run, for scale.
const bare = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(performance.now() - t);
}
console.log(
  `node -e 0: median ${median(bare).toFixed(0)} ms (load average ${loadavg()[0].toFixed(2)})`,
);

/** user+sys CPU of the TUI's node process so far, in ms: less sensitive to load than wall time. */
function cpuMs(t) {
  try {
    return cpuTicks(t.nodePid()) * 10;
  } catch {
    return NaN;
  }
}

// The first start after an install or upgrade compiles the TUI's libraries and leaves their code
// cache 3 s later; every start after that runs from it. One warm-up start per build makes it.
for (const b of builds) {
  const t = tui(env, b.bin);
  try {
    await t.when(/practice/);
    await sleep(4000);
  } finally {
    t.stop();
  }
  await sleep(300);
}

/** A build's name in a line, when there are two to tell apart. */
const label = (b) => (builds.length > 1 ? ` [${b.name}]` : '');

// The builds' runs alternate (a, b, a, b…): a change of load falls on both. The last "build" is
// this tree without its code cache, as a first start after an install runs.
const firstRuns = [
  ...builds.map((b) => ({ what: label(b), bin: b.bin, env })),
  {
    what: `${label(builds[0])} without the code cache (a first start)`,
    bin,
    env: { ...env, VAULT_RUNBOOK_NO_CODE_CACHE: '1' },
  },
];
const first = firstRuns.map(() => []);
const firstCpu = firstRuns.map(() => []);
for (let i = 0; i < runs; i++) {
  for (const [k, r] of firstRuns.entries()) {
    const t = tui(r.env, r.bin);
    try {
      first[k].push(await t.when(/practice/));
      firstCpu[k].push(cpuMs(t));
    } finally {
      t.stop();
    }
    await sleep(300);
  }
}
for (const [k, r] of firstRuns.entries())
  console.log(
    `TUI home, no cluster${r.what}: first frame median ${median(first[k]).toFixed(0)} ms over ${runs} run(s) (min ${Math.min(...first[k]).toFixed(0)} ms); user+sys CPU by then median ${median(firstCpu[k]).toFixed(0)} ms`,
  );

if (!withSandbox) process.exit(0);
const tools = spawnSync('bash', [join(root, 'scripts', 'ensure-tools.sh'), '--print-env'], {
  stdio: 'ignore',
});
if (tools.status !== 0) {
  console.log('sandbox figures: skipped (tools not built yet: bash scripts/ensure-tools.sh)');
  process.exit(0);
}

const cli = (args, e = env) =>
  spawnSync(process.execPath, [bin, ...args], { env: { ...e, CI: 'true' }, encoding: 'utf8' });
try {
  const { layout: l, answering } = await sixNodeSandbox(root, env, cli);
  const six = l.profileFile;
  console.log(`sandbox: ${answering} of 6 nodes answering (3 primary, 3 DR)`);

  const e6 = { ...env, VAULT_RUNBOOK_PROFILE: six };
  const frames = builds.map(() => []);
  const rows = builds.map(() => []);
  const rowsCpu = builds.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, b] of builds.entries()) {
      const t = tui(e6, b.bin);
      try {
        frames[k].push(await t.when(/practice/));
        // Every row of both regions with its health code, read from the node.
        rows[k].push(await t.when(SIX_ROWS));
        rowsCpu[k].push(cpuMs(t));
      } finally {
        t.stop();
      }
      await sleep(300);
    }
  }
  for (const [k, b] of builds.entries())
    console.log(
      `TUI home on the sandbox${label(b)}: first frame median ${median(frames[k]).toFixed(0)} ms, status rows (6 nodes) median ${median(rows[k]).toFixed(0)} ms over ${runs} run(s); user+sys CPU by the rows median ${median(rowsCpu[k]).toFixed(0)} ms (load average ${loadavg()[0].toFixed(2)})`,
    );

  // Idle: every build's TUI at once, over the same window.
  const idle = builds.map((b) => tui(e6, b.bin));
  try {
    await Promise.all(idle.map((t) => t.when(SIX_ROWS)));
    await sleep(SETTLE_SECONDS * 1000); // past start-up work
    const pids = idle.map((t) => t.nodePid());
    const marks = [{ at: performance.now(), ticks: pids.map(cpuTicks) }];
    for (let third = 0; third < 3; third++) {
      await sleep((IDLE_SECONDS * 1000) / 3);
      marks.push({ at: performance.now(), ticks: pids.map(cpuTicks) });
    }
    /** CPU % of build k between two marks. */
    const pct = (k, a, b) => ((b.ticks[k] - a.ticks[k]) / 100 / ((b.at - a.at) / 1000)) * 100;
    for (const [k, b] of builds.entries()) {
      const thirds = [0, 1, 2].map((n) => pct(k, marks[n], marks[n + 1]).toFixed(2));
      const m = memory(pids[k]);
      console.log(
        `TUI idle on the home screen${label(b)}, 6 nodes polled (every 1-2 s): CPU ${pct(k, marks[0], marks[3]).toFixed(2)} % over ${IDLE_SECONDS} s from ${SETTLE_SECONDS} s after the rows (thirds ${thirds.join(' / ')} %); RSS ${m.rssMb.toFixed(0)} MB (peak ${m.peakMb.toFixed(0)} MB) (load average ${loadavg()[0].toFixed(2)})`,
      );
    }
  } finally {
    for (const t of idle) t.stop();
  }
} catch (err) {
  console.log(`sandbox figures: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  const down = cli(['sandbox', 'down', '--purge']);
  if (down.status !== 0) console.log(`sandbox down: exit ${down.status}\n${down.stderr}`);
  rmSync(dir, { recursive: true, force: true });
}
