#!/usr/bin/env node
// Rolling upgrade vs the naive way, on the real sandbox: a client reads a canary secret through
// the load balancer every 100 ms while (b) the naive procedure (new launch-template version,
// every instance replaced at once, then each node unsealed) and (a) the rolling-upgrade runbook
// (headless) take 3 nodes from the older Vault to the newer. Figures, not assertions.
// Run after `npm run build`:   npm run bench:upgrade
// Its own addresses (scripts/bench-slot.mjs: a slot no test uses, or VAULT_RUNBOOK_SANDBOX_SLOT)
// and temp dirs; it stops what it starts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, EC2Client } from '@aws-sdk/client-ec2';
import { parse } from 'yaml';
import { benchSlot } from './bench-slot.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'vault-runbook.js');
const { httpsRequest } = await import(join(root, 'dist', 'sandbox', 'http.js'));
const { SANDBOX_CREDENTIALS } = await import(join(root, 'dist', 'sandbox', 'layout.js'));
const { compareVersions } = await import(join(root, 'dist', 'domain', 'upgrade.js'));

const tools = spawnSync('bash', [join(root, 'scripts', 'ensure-tools.sh'), '--print-env'], {
  encoding: 'utf8',
});
if (tools.status) {
  console.error('bench-upgrade: run scripts/ensure-tools.sh first');
  process.exit(1);
}
const versions = (/VAULT_VERSIONS=['"]?([^'"\n]*)/.exec(tools.stdout)?.[1] ?? '')
  .split(' ')
  .filter(Boolean)
  .sort(compareVersions);
const [older, newer] = [versions[0], versions[versions.length - 1]];
if (!older || older === newer) {
  console.error('bench-upgrade: needs two built Vault versions');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'vr-bench-upgrade-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  VAULT_RUNBOOK_SANDBOX_SLOT: benchSlot('upgrade'),
  CI: 'true',
  VAULT_TOKEN: '',
};
delete env.VAULT_RUNBOOK_PROFILE;
const cli = (args) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 180_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

let ca;
let token = '';
const call = (url, method = 'GET', body) =>
  httpsRequest(url, {
    ca,
    method,
    ...(body ? { body: JSON.stringify(body) } : {}),
    headers: token ? { 'x-vault-token': token } : {},
    timeoutMs: 2_000,
  });

/** Reads the canary through the LB every 100 ms and watches sys/leader, until stopped. */
function measure(lb) {
  let on = true;
  let failed = 0;
  let reads = 0;
  let run = 0;
  let longest = 0;
  let runStart = 0;
  const leaders = [];
  const loop = (async () => {
    while (on) {
      const t = Date.now();
      const ok = await call(`${lb}/v1/kv/canary`).then(
        (r) => r.status === 200,
        () => false,
      );
      reads++;
      if (ok) {
        if (run) longest = Math.max(longest, Date.now() - runStart);
        run = 0;
      } else {
        failed++;
        if (!run) runStart = t;
        run++;
      }
      const l = await call(`${lb}/v1/sys/leader`).catch(() => undefined);
      // Addresses are reused by replacements: a leader is its address and when it became active.
      const b = l?.status === 200 ? JSON.parse(l.body) : undefined;
      const a = b?.leader_address ? `${b.leader_address} ${b.active_time ?? ''}` : '';
      if (a && leaders[leaders.length - 1] !== a) leaders.push(a);
      await sleep(Math.max(0, 100 - (Date.now() - t)));
    }
    if (run) longest = Math.max(longest, Date.now() - runStart);
  })();
  return async () => {
    on = false;
    await loop;
    return { reads, failed, longest, leaderChanges: Math.max(0, leaders.length - 1) };
  };
}

function runbook(args, secrets) {
  const child = spawn(
    process.execPath,
    [bin, ...args, '--headless', '--answers', join(dir, 'answers.yaml'), '--secrets-fd', '3'],
    { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  );
  child.stdio[3].on('error', () => undefined);
  child.stdio[3].end(secrets.map((s) => `${s}\n`).join(''));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((r) => child.on('close', (code) => r({ code, out })));
}

const row = (name, m, wallMs, entries) =>
  console.log(
    `${name.padEnd(16)} leadership changes ${m.leaderChanges}  failed reads ${m.failed}/${m.reads}  longest outage ${(m.longest / 1000).toFixed(1)} s  wall ${(wallMs / 1000).toFixed(0)} s  share entries ${entries}`,
  );

try {
  const up = cli(['sandbox', 'up', '--vault-version', older]);
  if (up.status !== 0) throw new Error(`sandbox up: exit ${up.status}\n${up.stderr}`);
  const profile = parse(
    readFileSync(join(env.XDG_CONFIG_HOME, 'vault-runbook', 'profiles', 'sandbox.yaml'), 'utf8'),
  );
  ca = readFileSync(profile.vault.tls.ca_cert);
  const lb = profile.vault.api_addr;
  const addrs = profile.vault.addresses;
  const init = JSON.parse(
    (await call(`${addrs[0]}/v1/sys/init`, 'PUT', { secret_shares: 3, secret_threshold: 2 })).body,
  );
  const shares = init.keys.slice(0, 2);
  const unseal = async (a) => {
    let entries = 0;
    for (const key of shares) {
      entries++;
      const r = JSON.parse((await call(`${a}/v1/sys/unseal`, 'PUT', { key })).body);
      if (r.sealed === false) break;
    }
    return entries;
  };
  for (const a of addrs) await unseal(a);
  token = init.root_token;
  await until('an active node', async () => (await call(`${lb}/v1/sys/health`)).status === 200);
  await until('kv', async () =>
    [204, 400].includes(
      (await call(`${lb}/v1/sys/mounts/kv`, 'PUT', { type: 'kv', options: { version: '1' } }))
        .status,
    ),
  );
  await until(
    'canary',
    async () => (await call(`${lb}/v1/kv/canary`, 'PUT', { value: 'x' })).status === 204,
  );
  writeFileSync(join(dir, 'answers.yaml'), 'replace: sandbox\nstorage: all\n');
  const aws = { region: profile.aws.region, credentials: { ...SANDBOX_CREDENTIALS } };
  const asg = new AutoScalingClient({ ...aws, endpoint: profile.aws.endpoints.autoscaling });
  const ec2 = new EC2Client({ ...aws, endpoint: profile.aws.endpoints.ec2 });

  // (b) the naive way: new template, every instance replaced at once, then each node unsealed.
  let stop = measure(lb);
  let t0 = Date.now();
  const img = JSON.parse(cli(['sandbox', 'image', newer, '--json']).stdout);
  await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateName: profile.aws.launch_template,
      SourceVersion: '$Latest',
      LaunchTemplateData: { ImageId: img.amiId },
    }),
  );
  const g = await asg.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [profile.aws.asg] }),
  );
  for (const i of g.AutoScalingGroups[0].Instances)
    await asg.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: i.InstanceId,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
  let naiveEntries = 0;
  for (const a of addrs) {
    await until(`${a} sealed on ${newer}`, async () => {
      const h = JSON.parse((await call(`${a}/v1/sys/health`)).body);
      return h.sealed && h.version === newer;
    });
    naiveEntries += await unseal(a);
  }
  await until('the canary', async () => (await call(`${lb}/v1/kv/canary`)).status === 200);
  const naiveWall = Date.now() - t0;
  const naive = await stop();

  // Back to the older version (not measured), so the rolling upgrade starts where the naive did.
  const back = await runbook(['run', 'rollback-upgrade'], [...shares, token]);
  if (back.code !== 0) throw new Error(`rollback-upgrade exited ${back.code}\n${back.out}`);

  // (a) the rolling-upgrade runbook, headless.
  stop = measure(lb);
  t0 = Date.now();
  const r = await runbook(
    ['run', 'rolling-upgrade', '--var', `vault_version=${newer}`, '--var', 'canary=kv/canary'],
    [...shares, token],
  );
  const rollingWall = Date.now() - t0;
  const rolling = await stop();
  if (r.code !== 0) throw new Error(`rolling-upgrade exited ${r.code}\n${r.out}`);
  const entries = /keyholders entered (\d+) share/.exec(r.out)?.[1] ?? '?';

  console.log(`Vault ${older} → ${newer}, 3 nodes, threshold 2, canary read every 100 ms`);
  row('rolling-upgrade', rolling, rollingWall, entries);
  row('naive', naive, naiveWall, naiveEntries);
  asg.destroy();
  ec2.destroy();
} finally {
  cli(['sandbox', 'down', '--purge']);
  rmSync(dir, { recursive: true, force: true });
}
