#!/usr/bin/env node
// The TUI in a pseudo-terminal (150×45, via script(1)): time to the first frame (the runbook
// list), and — on a sandbox of its own, when the tools are built — time to the status rows,
// idle CPU with 6 nodes polled, and RSS. Figures, not assertions. After `npm run build`:
//   node scripts/bench-tui.mjs [runs]        (default 3; --no-sandbox: first frame only)
// The sandbox uses its own addresses (scripts/bench-slot.mjs: a slot no test uses, or
// VAULT_RUNBOOK_SANDBOX_SLOT) and is stopped at the end.
// Six nodes are the sandbox's own two regions, 3 + 3: its profile lists the DR nodes
// (vault.dr_addresses), and the DR Auto Scaling group is scaled to 3 for the run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchSlot } from './bench-slot.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'vault-runbook.js');
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 3);
const withSandbox = !process.argv.includes('--no-sandbox');
const IDLE_SECONDS = 30;
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
function tui(env) {
  const t0 = performance.now();
  const child = spawn(
    'script',
    ['-qfc', `stty cols 150 rows 45; exec ${process.execPath} ${bin}`, '/dev/null'],
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
// cache 3 s later; every start after that runs from it. One warm-up start makes it.
{
  const t = tui(env);
  try {
    await t.when(/practice/);
    await sleep(4000);
  } finally {
    t.stop();
  }
  await sleep(300);
}

/** Time to the first frame (and CPU by then), `runs` times, with or without the code cache. */
async function firstFrames(e) {
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const t = tui(e);
    try {
      wall.push(await t.when(/practice/));
      cpu.push(cpuMs(t));
    } finally {
      t.stop();
    }
    await sleep(300);
  }
  return { wall, cpu };
}
const warm = await firstFrames(env);
const cold = await firstFrames({ ...env, VAULT_RUNBOOK_NO_CODE_CACHE: '1' });
for (const [what, f] of [
  ['', warm],
  [' without the code cache (a first start)', cold],
])
  console.log(
    `TUI home, no cluster${what}: first frame median ${median(f.wall).toFixed(0)} ms over ${runs} run(s) (min ${Math.min(...f.wall).toFixed(0)} ms); user+sys CPU by then median ${median(f.cpu).toFixed(0)} ms`,
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
  const up = cli(['sandbox', 'up']);
  if (up.status !== 0) throw new Error(`sandbox up: exit ${up.status}\n${up.stderr}`);
  const { layout, SANDBOX_CREDENTIALS } = await import(join(root, 'dist', 'sandbox', 'layout.js'));
  const l = layout(env);
  // Six nodes: the DR region's Auto Scaling group to 3, so the sandbox starts 3 more Vaults.
  // This process loads the SDK itself: without its switch the SDK's Node-version warning lands
  // on the terminal just as the TUI starts (the CLI sets the same switch for itself).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { AutoScalingClient, SetDesiredCapacityCommand } =
    await import('@aws-sdk/client-auto-scaling');
  const asg = new AutoScalingClient({
    region: l.regions.dr.region,
    endpoint: `http://${l.host}:${l.motoPort}`,
    credentials: { ...SANDBOX_CREDENTIALS },
  });
  await asg.send(
    new SetDesiredCapacityCommand({ AutoScalingGroupName: l.regions.dr.asg, DesiredCapacity: 3 }),
  );
  const six = l.profileFile;
  let answering = 0;
  for (let i = 0; i < 90 && answering < 6; i++) {
    const s = cli(['status', '--json', '--profile', six]);
    try {
      const j = JSON.parse(s.stdout);
      const all = [...j.nodes, ...(j.failover?.drNodes ?? [])];
      answering = all.filter((n) => n.reachable).length;
    } catch {
      answering = 0;
    }
    if (answering < 6) await sleep(1000);
  }
  console.log(`sandbox: ${answering} of 6 nodes answering (3 primary, 3 DR)`);

  const e6 = { ...env, VAULT_RUNBOOK_PROFILE: six };
  const frames = [];
  const rows = [];
  const rowsCpu = [];
  for (let i = 0; i < runs; i++) {
    const t = tui(e6);
    try {
      frames.push(await t.when(/practice/));
      // Every row of both regions with its health code, read from the node.
      rows.push(await t.when(SIX_ROWS));
      rowsCpu.push(cpuMs(t));
      if (i === runs - 1) {
        await sleep(5000); // past start-up work
        const pid = t.nodePid();
        const c0 = cpuTicks(pid);
        const w0 = performance.now();
        await sleep(IDLE_SECONDS * 1000);
        const cpu = ((cpuTicks(pid) - c0) / 100 / ((performance.now() - w0) / 1000)) * 100;
        const m = memory(pid);
        console.log(
          `TUI idle on the home screen, 6 nodes polled (every 1-2 s): CPU ${cpu.toFixed(2)} % over ${IDLE_SECONDS} s; RSS ${m.rssMb.toFixed(0)} MB (peak ${m.peakMb.toFixed(0)} MB)`,
        );
      }
    } finally {
      t.stop();
    }
    await sleep(300);
  }
  console.log(
    `TUI home on the sandbox: first frame median ${median(frames).toFixed(0)} ms, status rows (6 nodes) median ${median(rows).toFixed(0)} ms over ${runs} run(s); user+sys CPU by the rows median ${median(rowsCpu).toFixed(0)} ms (load average ${loadavg()[0].toFixed(2)})`,
  );
} catch (err) {
  console.log(`sandbox figures: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  const down = cli(['sandbox', 'down', '--purge']);
  if (down.status !== 0) console.log(`sandbox down: exit ${down.status}\n${down.stderr}`);
  rmSync(dir, { recursive: true, force: true });
}
