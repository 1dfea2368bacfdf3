import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { Profile } from '../../src/domain/schema.js';
import { allFiles, cliWithFd3, feedSecrets, runIdFrom } from '../support/cli.js';
import {
  ec2,
  health,
  httpGet,
  sandbox,
  sandboxEnv,
  statusJson,
  until,
  vaultPut,
  type StatusJson,
} from './helpers.js';
import { builtVersions, initAndUnseal, kvCanary, sandboxUp, unsealNode } from './setup.js';

// One sandbox for every scenario here (startup is expensive); its own slot and XDG dirs.
const { dir, env } = sandboxEnv(41);
let older = '';
let newer = '';
let profile: Profile;
let caFile = '';
let rootToken = '';
let shares: string[] = [];
let moto = '';
let lb = '';
// Answers are checked against the runbook's steps before a run starts: one file per runbook.
const answers = join(dir, 'answers.yaml');
const rollbackAnswers = join(dir, 'rollback-answers.yaml');

const primaryNodes = (s: StatusJson) =>
  s.processes.filter((p) => p.role === 'vault' && p.region === 'primary');

const unsealWith = (address: string, keys: readonly string[]) => unsealNode(address, keys, caFile);

async function readCanary(base: string): Promise<string | undefined> {
  const r = await httpGet(`${base}/v1/kv/canary`, caFile, rootToken);
  if (r.status !== 200) return undefined;
  return (JSON.parse(r.body) as { data: { value: string } }).data.value;
}

/** Every instance moto ever launched for the primary ASG (terminated ones too). */
async function launches(): Promise<string[]> {
  const r = await ec2(moto, 'us-east-1').send(
    new DescribeInstancesCommand({
      Filters: [{ Name: 'tag:vault-runbook:sandbox', Values: ['primary'] }],
    }),
  );
  return (r.Reservations ?? []).flatMap((x) => (x.Instances ?? []).map((i) => i.InstanceId ?? ''));
}

/** A headless run with the shares (then the operator token) on fd 3; resolves when it ends. */
function runbook(args: string[], secrets: readonly string[] = [...shares, rootToken]) {
  const file = args.includes('rollback-upgrade') ? rollbackAnswers : answers;
  const child = cliWithFd3([...args, '--headless', '--answers', file, '--secrets-fd', '3'], {
    ...env,
    VAULT_TOKEN: '',
  });
  feedSecrets(child, secrets);
  return child;
}

const upgrade = (vars: string[]) =>
  runbook(['run', 'rolling-upgrade', ...vars.flatMap((v) => ['--var', v])]);

/** Polls sys/leader through the load balancer and records each distinct leader in order. */
/** The leader as `<address> since <active_time>` when `base` is the active node, else ''. */
async function leaderSeenAt(base: string): Promise<string> {
  const r = await httpGet(`${base}/v1/sys/leader`, caFile).catch(() => undefined);
  if (r?.status !== 200) return '';
  // The sandbox gives a replacement its predecessor's address, so the address alone would
  // miss a change to the newcomer there: the time the leader became active tells them apart.
  // Only the leader's own answer carries its active_time (a standby's is zero).
  const l = JSON.parse(r.body) as {
    is_self?: boolean;
    leader_address?: string;
    active_time?: string;
  };
  return l.is_self && l.leader_address ? `${l.leader_address} since ${l.active_time ?? '?'}` : '';
}

function leaderWatcher(): { stop: () => Promise<string[]> } {
  const seen: string[] = [];
  const note = (a: string): void => {
    if (a && seen[seen.length - 1] !== a) seen.push(a);
  };
  let on = true;
  const loop = (async () => {
    // Every node, not the load balancer: a kept-alive connection through it can stay on a
    // standby for the whole run, and then no answer names the active node.
    while (on) {
      for (const a of profile.vault.addresses ?? []) note(await leaderSeenAt(a));
      await new Promise((res) => setTimeout(res, 200));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      // The last takeover can come a moment before the run ends: one more look at every node.
      for (const a of profile.vault.addresses ?? []) note(await leaderSeenAt(a));
      return seen;
    },
  };
}

function versions(s: StatusJson): string[] {
  return primaryNodes(s).map((p) => p.health?.version ?? p.version ?? '?');
}

beforeAll(async () => {
  ({ older, newer } = await builtVersions());
  profile = await sandboxUp(env, ['--vault-version', older]);
  caFile = profile.vault.tls?.ca_cert ?? '';
  moto = profile.aws?.endpoints?.ec2 ?? '';
  lb = profile.vault.api_addr ?? '';
  // Three shares, two to unseal: so "entered once" and "entered per newcomer" differ.
  ({ keys: shares, rootToken } = await initAndUnseal(profile, { shares: 3, threshold: 2 }));
  const audit = await vaultPut(
    lb,
    'sys/audit/file',
    { type: 'file', options: { file_path: profile.vault.audit_file } },
    caFile,
    rootToken,
  );
  expect(audit.status).toBe(204);
  await kvCanary(lb, caFile, rootToken);
  writeFileSync(answers, 'replace: sandbox\n');
  writeFileSync(rollbackAnswers, 'replace: sandbox\nstorage: all\n');
}, 60 * 60_000);

afterAll(async () => {
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('rolling-upgrade on the sandbox', () => {
  it('Given a sealed node, When rolling-upgrade runs, Then it refuses with exit 4 naming the sealed node', async () => {
    const s = await statusJson(env);
    // Vault seals only its active node (a standby answers 500); a standby takes over.
    const victim = primaryNodes(s).find((p) => p.health?.code === 200);
    expect(victim).toBeDefined();
    const sealed = await vaultPut(victim?.address ?? '', 'sys/seal', {}, caFile, rootToken);
    expect(sealed.status).toBe(204);
    const r = await upgrade([`vault_version=${newer}`]);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain(`${victim?.name} sealed`);
    await unsealWith(victim?.address ?? '', shares);
    await until('an active node again', async () =>
      (await health(lb, caFile))?.code === 200 ? true : undefined,
    );
  }, 120_000);

  it('Given every node on the older version, When the target is older still, Then it refuses with exit 4 naming the target', async () => {
    const r = await upgrade(['vault_version=1.13.0']);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain('the target Vault 1.13.0 is older than');
  }, 120_000);

  it('Given a healthy cluster, When rolling-upgrade runs with --dry-run, Then the plan names every instance, its AZ, the active node last, and nothing changes', async () => {
    const before = await launches();
    const s = await statusJson(env);
    const r = await runbook([
      'run',
      'rolling-upgrade',
      '--var',
      `vault_version=${newer}`,
      '--dry-run',
    ]);
    expect(r.exitCode, r.stdout).toBe(0);
    const plan = /plan: (.*)/.exec(r.stdout)?.[1] ?? '';
    for (const p of primaryNodes(s)) {
      expect(plan).toContain(`${p.name} ${p.instanceId} ${p.az}`);
    }
    const active = primaryNodes(s).find((p) => p.health?.code === 200);
    expect(plan).toMatch(
      new RegExp(
        `3\\. ${active?.name} ${active?.instanceId} .* active .*last, by a clean shutdown`,
      ),
    );
    expect(await launches()).toEqual(before);
  }, 120_000);

  it(
    'Given 3 nodes on the older Vault, When rolling-upgrade runs headless, Then every node reports the newer version, the leader changed once, no step-down was audited, the canary reads back',
    async () => {
      expect(older).not.toBe(newer);
      expect(versions(await statusJson(env))).toEqual([older, older, older]);
      const before = await launches();
      const watcher = leaderWatcher();
      const r = await upgrade([`vault_version=${newer}`, 'canary=kv/canary']);
      const leaders = await watcher.stop();
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const a of profile.vault.addresses ?? [])
        expect((await health(a, caFile))?.version).toBe(newer);
      expect(leaders).toHaveLength(2);
      const audit = readFileSync(profile.vault.audit_file ?? '', 'utf8');
      expect(audit).toContain('kv/canary'); // the audit device does log: its silence means something
      expect(audit).not.toContain('sys/step-down');
      expect(await readCanary(lb)).toBe('before');
      // Three replacements, each launched once; keyholders entered their 2 shares once.
      expect((await launches()).length - before.length).toBe(3);
      expect(r.stdout).toContain('keyholders entered 2 share(s) in all for 3 replacement(s)');
      // The shares lived in memory only: no journal holds them (nor the operator token).
      const runs = allFiles(join(env.XDG_STATE_HOME ?? '', 'vault-runbook', 'runs'));
      expect(runs.length).toBeGreaterThan(0);
      for (const f of runs)
        for (const secret of [...shares, rootToken]) expect(f.text.includes(secret)).toBe(false);
    },
    20 * 60_000,
  );

  it(
    'Given every node on the newer version, When rollback-upgrade runs headless, Then every node is back on the older version and the canary reads back',
    async () => {
      const before = await launches();
      const r = await runbook(['run', 'rollback-upgrade', '--var', 'canary=kv/canary']);
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const a of profile.vault.addresses ?? [])
        expect((await health(a, caFile))?.version).toBe(older);
      expect(await readCanary(lb)).toBe('before');
      expect((await launches()).length - before.length).toBe(3);
    },
    20 * 60_000,
  );

  it(
    'Given the CLI SIGKILLed in the standby phase, When the run is resumed, Then the upgrade finishes and no node was replaced twice',
    async () => {
      const before = await launches();
      const child = upgrade([`vault_version=${newer}`]);
      let out = '';
      await new Promise<void>((res) => {
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          // The second standby's termination was asked for: kill the CLI right there.
          if ((out.match(/\(standby, i-[0-9a-f]+.*terminating its instance/g) ?? []).length >= 2) {
            child.kill('SIGKILL');
            res();
          }
        });
        void child.then(() => res());
      });
      const killed = await child;
      expect(killed.signal, out).toBe('SIGKILL');
      const runId = runIdFrom(out);
      const r = await runbook(['resume', runId]);
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const a of profile.vault.addresses ?? [])
        expect((await health(a, caFile))?.version).toBe(newer);
      expect((await launches()).length - before.length).toBe(3);
    },
    20 * 60_000,
  );

  it(
    'Given a broken image, When rolling-upgrade replaces the first standby, Then it stops with exit 1, says what to do, and the old active keeps serving',
    async () => {
      const s = await statusJson(env);
      const active = primaryNodes(s).find((p) => p.health?.code === 200);
      expect((await sandbox(['fault', 'broken-image', newer], env)).exitCode).toBe(0);
      const r = await upgrade([`vault_version=${newer}`, 'newcomer_timeout=40s']);
      expect(r.exitCode, r.stdout).toBe(1);
      expect(r.stdout + r.stderr).toContain('did not become a healthy unsealed node');
      expect(r.stdout + r.stderr).toContain('rollback-upgrade');
      const now = await statusJson(env);
      expect(primaryNodes(now).find((p) => p.health?.code === 200)?.instanceId).toBe(
        active?.instanceId,
      );
      expect(await readCanary(lb)).toBe('before');
      // Healed: the broken newcomer is replaced and unsealed by hand; the next scenario starts whole.
      expect((await sandbox(['fault', 'broken-image', 'off'], env)).exitCode).toBe(0);
      const addrs = profile.vault.addresses ?? [];
      const dead = addrs.findIndex(
        (a) => !primaryNodes(now).some((p) => p.address === a && p.health),
      );
      expect(dead).toBeGreaterThanOrEqual(0);
      expect((await sandbox(['fault', 'kill', `node-${dead + 1}`], env)).exitCode).toBe(0);
      await until(
        'the healed newcomer, sealed',
        async () => ((await health(addrs[dead] ?? '', caFile))?.sealed ? true : undefined),
        120_000,
      );
      await unsealWith(addrs[dead] ?? '', shares);
    },
    20 * 60_000,
  );

  it(
    'Given sandbox fault kill node-2, When replace-node runs headless, Then every node ends unsealed and the ASG’s fresh newcomer is unsealed, not replaced again',
    async () => {
      const before = await launches();
      expect((await sandbox(['fault', 'kill', 'node-2'], env)).exitCode).toBe(0);
      const r = await runbook(['run', 'replace-node']);
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const a of profile.vault.addresses ?? [])
        expect((await health(a, caFile))?.sealed).toBe(false);
      // One launch: the ASG's replacement of the killed instance, and nothing more.
      expect((await launches()).length - before.length).toBe(1);
    },
    20 * 60_000,
  );

  it(
    'Given sandbox fault seal node-2 on an instance older than the grace, When replace-node runs headless, Then node-2 runs on a new instance and every node ends unsealed',
    async () => {
      const s = await statusJson(env);
      const old = primaryNodes(s).find((p) => p.name === 'node-2')?.instanceId ?? '';
      expect(old).toMatch(/^i-/);
      // The precondition of "sealed means replaced": the instance is past the grace given below.
      const launched = await ec2(moto, 'us-east-1').send(
        new DescribeInstancesCommand({ InstanceIds: [old] }),
      );
      const at = launched.Reservations?.[0]?.Instances?.[0]?.LaunchTime?.getTime() ?? Date.now();
      const wait = at + 35_000 - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const before = await launches();
      expect(
        (await sandbox(['fault', 'seal', 'node-2'], { ...env, VAULT_TOKEN: '' })).exitCode,
      ).toBe(0);
      const addr = profile.vault.addresses?.[1] ?? '';
      await until('node-2 sealed', async () =>
        (await health(addr, caFile))?.sealed ? true : undefined,
      );
      const r = await runbook(['run', 'replace-node', '--var', 'sealed_grace=30s']);
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`node-2 (${old}`);
      expect(r.stdout).toContain('vault-runbook run unseal');
      for (const a of profile.vault.addresses ?? [])
        expect((await health(a, caFile))?.sealed).toBe(false);
      const after = primaryNodes(await statusJson(env)).find((p) => p.name === 'node-2');
      expect(after?.instanceId).toMatch(/^i-/);
      expect(after?.instanceId).not.toBe(old);
      expect((await launches()).length - before.length).toBe(1);
    },
    20 * 60_000,
  );

  it(
    "Given sandbox fault az-down on a node's AZ, When replace-node runs for that AZ, Then every node ends unsealed, none in the lost AZ",
    async () => {
      const s = await statusJson(env);
      const az = primaryNodes(s).find((p) => p.health?.code === 429)?.az ?? '';
      expect((await sandbox(['fault', 'az-down', az], env)).exitCode).toBe(0);
      const r = await runbook(['run', 'replace-node', '--var', `az=${az}`]);
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const a of profile.vault.addresses ?? [])
        expect((await health(a, caFile))?.sealed).toBe(false);
      const after = await statusJson(env);
      expect(primaryNodes(after).filter((p) => p.az === az)).toEqual([]);
    },
    20 * 60_000,
  );
});
