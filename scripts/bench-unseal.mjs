#!/usr/bin/env node
// Unseal on the real sandbox, N = 3 and 5 sealed nodes: how many share entries the keyholders
// make, and the seconds from the last entry to every node unsealed (from the run's journal).
// A figure, not an assertion. Run after `npm run build`:   node scripts/bench-unseal.mjs
// Its own addresses (scripts/bench-slot.mjs: a slot no test uses) and temp dirs; it stops
// what it starts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AutoScalingClient, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { parse, stringify } from 'yaml';
import { benchSlot } from './bench-slot.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'vault-runbook.js');
const { VaultHttp } = await import(join(root, 'dist', 'adapters', 'vault.js'));
const { SANDBOX_CREDENTIALS } = await import(join(root, 'dist', 'sandbox', 'layout.js'));

if (spawnSync('bash', [join(root, 'scripts', 'ensure-tools.sh')], { stdio: 'ignore' }).status) {
  console.error('bench-unseal: scripts/ensure-tools.sh failed');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'vr-bench-unseal-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  VAULT_RUNBOOK_SANDBOX_SLOT: benchSlot('unseal'),
  CI: 'true',
};
delete env.VAULT_RUNBOOK_PROFILE;
const cli = (args, extra = {}) =>
  spawnSync(process.execPath, [bin, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const sandboxNodes = () => {
  const r = cli(['sandbox', 'status', '--json']);
  const s = JSON.parse(r.stdout);
  return s.processes.filter((p) => p.role === 'vault' && p.address?.includes('.1.'));
};

try {
  const up = cli(['sandbox', 'up']);
  if (up.status !== 0) throw new Error(`sandbox up: exit ${up.status}\n${up.stderr}`);
  const profileFile = join(env.XDG_CONFIG_HOME, 'vault-runbook', 'profiles', 'sandbox.yaml');
  const profile = parse(readFileSync(profileFile, 'utf8'));
  const ca = profile.vault.tls.ca_cert;
  const first = new VaultHttp({
    nodes: [{ name: 'node-1', address: profile.vault.addresses[0] }],
    caCert: ca,
  });
  const init = await first.init(
    first.nodes()[0],
    { secretShares: 5, secretThreshold: 3 },
    AbortSignal.timeout(30_000),
  );
  const shares = init.keys.slice(0, 3).map((k) => k.reveal());
  const rootToken = init.rootToken.reveal();

  for (const n of [3, 5]) {
    if (n > 3) {
      const asg = new AutoScalingClient({
        region: profile.aws.region,
        endpoint: profile.aws.endpoints.autoscaling,
        credentials: { ...SANDBOX_CREDENTIALS },
      });
      await asg.send(
        new SetDesiredCapacityCommand({
          AutoScalingGroupName: profile.aws.asg,
          DesiredCapacity: n,
        }),
      );
      asg.destroy();
    }
    const nodes = await until(
      `${n} nodes answering`,
      async () => {
        const ps = sandboxNodes();
        return ps.length === n && ps.every((p) => p.health && p.health.code !== 501)
          ? ps
          : undefined;
      },
      120_000,
    );
    // Seal every node (a standby is restarted by the sandbox: Vault cannot seal it).
    await until(
      `${n} nodes sealed`,
      async () => {
        const open = sandboxNodes().filter((p) => p.health && p.health.code !== 503);
        if (open.length === 0) return true;
        cli(['sandbox', 'fault', 'seal', open[0].address], { VAULT_TOKEN: rootToken });
        return undefined;
      },
      120_000,
    );
    const addresses = nodes.map((p) => p.address).sort();
    const pf = join(dir, `profile-${n}.yaml`);
    writeFileSync(pf, stringify({ ...profile, vault: { ...profile.vault, addresses } }));

    const child = spawn(
      process.execPath,
      [bin, 'run', 'unseal', '--profile', pf, '--headless', '--secrets-fd', '3'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
    );
    child.stdio[3].end(shares.join('\n') + '\n');
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('close', r));
    if (code !== 0) throw new Error(`unseal run (N=${n}) exited ${code}\n${out}`);

    const runs = join(env.XDG_STATE_HOME, 'vault-runbook', 'runs');
    const file = readdirSync(runs)
      .filter((f) => f.includes('unseal') && f.endsWith('.jsonl'))
      .map((f) => join(runs, f))
      .sort()
      .pop();
    const records = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const answers = records.filter(
      (r) => r.event.type === 'human-answered' && r.event.stepId === 'shares',
    );
    const done = records.find(
      (r) => r.event.type === 'step-succeeded' && r.event.stepId === 'shares',
    );
    const last = Date.parse(answers[answers.length - 1].time);
    const unsealed = done.event.outputs.unsealed?.length ?? 0;
    console.log(
      `unseal N=${n} sealed nodes: ${answers.length} share entries (threshold 3), all ${unsealed} unsealed ${((Date.parse(done.time) - last) / 1000).toFixed(2)} s after the last entry`,
    );
  }
} finally {
  cli(['sandbox', 'down', '--purge']);
  rmSync(dir, { recursive: true, force: true });
}
