#!/usr/bin/env node
// The TUI's first frame in instructions (valgrind's callgrind, all threads), next to `node -e 0`
// counted the same way: unlike milliseconds on a shared machine, the count barely moves from run
// to run. Each figure is the instructions executed from the process's start until the home
// screen is on the terminal (callgrind_control dumps the count the moment it appears). Figures,
// not assertions. After `npm run build`; needs valgrind (skipped without it):
//   node scripts/bench-tui-instructions.mjs            (a run is ≈ 30 s under valgrind)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'vault-runbook.js');
if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.log('TUI first frame in instructions: skipped (no valgrind)');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'vr-bench-ir-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  XDG_CACHE_HOME: join(dir, 'cache'),
  TERM: 'xterm-256color',
};
delete env.CI; // a terminal has no CI
delete env.VAULT_RUNBOOK_PROFILE;

const VALGRIND = ['--tool=callgrind', '--smc-check=all-non-file'];
const totalOf = (files) =>
  Math.max(
    0,
    ...files.map((f) =>
      Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(f, 'utf8'))?.[1] ?? 0),
    ),
  );

/** `node -e 0` from start to exit. */
function bare() {
  const out = mkdtempSync(join(dir, 'bare-'));
  spawnSync(
    'valgrind',
    [...VALGRIND, `--callgrind-out-file=${out}/cg`, process.execPath, '-e', '0'],
    {
      stdio: 'ignore',
    },
  );
  return totalOf([join(out, 'cg')]);
}

/** The TUI on a pseudo-terminal, from start to its first frame. */
async function firstFrame(extraEnv) {
  const out = mkdtempSync(join(dir, 'tui-'));
  const cmd = `stty cols 150 rows 45; exec valgrind ${VALGRIND.join(' ')} --callgrind-out-file=${out}/cg.%p ${process.execPath} ${bin}`;
  const child = spawn('script', ['-qfc', cmd, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...env, ...extraEnv },
    detached: true,
  });
  try {
    await new Promise((shown, failed) => {
      let text = '';
      const timer = setTimeout(() => failed(new Error('no home screen in 180 s')), 180_000);
      child.stdout.on('data', (d) => {
        text += d;
        if (/practice/.test(text)) {
          clearTimeout(timer);
          shown();
        }
      });
    });
    const pid = Number(
      readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0],
    );
    spawnSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' });
    return totalOf(
      readdirSync(out)
        .filter((f) => /\.\d+\.\d+$/.test(f))
        .map((f) => join(out, f)),
    );
  } finally {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Starts the TUI natively once and leaves it up long enough to write its code cache. */
async function warmUp() {
  const child = spawn(
    'script',
    ['-qfc', `stty cols 150 rows 45; exec ${process.execPath} ${bin}`, '/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
      env,
      detached: true,
    },
  );
  child.stdout.resume();
  await new Promise((r) => setTimeout(r, 5000));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

const M = (n) => `${(n / 1e6).toFixed(0)} M`;
try {
  const base = bare();
  await warmUp();
  const warm = await firstFrame({});
  const cold = await firstFrame({ VAULT_RUNBOOK_NO_CODE_CACHE: '1' });
  console.log(`node -e 0: ${M(base)} instructions`);
  console.log(
    `TUI home, first frame: ${M(warm)} instructions (${(warm / base).toFixed(2)}× bare node)`,
  );
  console.log(
    `TUI home, first frame without the code cache (a first start): ${M(cold)} instructions (${(cold / base).toFixed(2)}×)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
