import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Profile } from '../../src/domain/schema.js';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { layout, motoUrl, SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { cli, cliWithFd3 } from '../support/cli.js';
import { ensureTools } from '../support/tools.js';
import {
  health,
  httpGet,
  s3,
  sandbox,
  sandboxEnv,
  statusJson,
  until,
  vaultPut,
} from './helpers.js';
import { sandboxUp } from './setup.js';

/**
 * The runbooks on a profile that discovers its nodes from the Auto Scaling groups (what
 * `terraform output vault_runbook_profile` gives): no `addresses`, so a step that starts a
 * stopped group sees no node at its beginning. One sandbox for the file.
 */
const { dir, env } = sandboxEnv(120);
const l = layout(env);
let profile: Profile;
let discoverFile = '';
let caFile = '';
let rootToken = '';
let shares: string[] = [];
let lb = '';
let kv1Uuid = '';

async function kvPut(path: string, value: string): Promise<void> {
  const r = await vaultPut(lb, path, { value }, caFile, rootToken);
  if (r.status !== 204 && r.status !== 200) throw new Error(`write ${path}: ${r.status}`);
}

async function kvGet(path: string): Promise<string | undefined> {
  const r = await httpGet(`${lb}/v1/${path}`, caFile, rootToken);
  if (r.status !== 200) return undefined;
  return (JSON.parse(r.body) as { data: { value?: string } }).data.value;
}

/** The S3 version ids of `key` (newest first is not promised: a set). */
async function versionIds(key: string): Promise<string[]> {
  const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
  const r = await s3(profile.aws?.endpoints?.s3 ?? '', 'us-east-1').send(
    new ListObjectVersionsCommand({ Bucket: l.regions.primary.bucket, Prefix: key }),
  );
  return (r.Versions ?? []).filter((v) => v.Key === key).map((v) => v.VersionId ?? '');
}

/** The version S3 made for the write `write` does. */
async function versionWritten(key: string, write: () => Promise<void>): Promise<string> {
  const before = new Set(await versionIds(key));
  await write();
  const made = (await versionIds(key)).filter((v) => !before.has(v));
  expect(made).toHaveLength(1);
  return made[0] ?? '';
}

/** The group's desired size, asked of moto directly (the primary's region may be "down"). */
async function asgDesired(region: string, name: string): Promise<number | undefined> {
  const c = new AutoScalingClient({
    region,
    endpoint: motoUrl(l),
    credentials: { ...SANDBOX_CREDENTIALS },
    maxAttempts: 1,
  });
  const r = await c.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return r.AutoScalingGroups?.[0]?.DesiredCapacity;
}

/** The discovering profile, `vault` changed by `edit` (written next to it). */
function variant(name: string, edit: (v: Record<string, unknown>) => Record<string, unknown>) {
  const base = parse(readFileSync(discoverFile, 'utf8')) as { vault: Record<string, unknown> };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify({ ...base, vault: edit(base.vault) }));
  return file;
}

/** A headless run on the discovering profile, the shares on fd 3. */
async function run(
  runbook: string,
  vars: Record<string, string>,
  answers: Record<string, string>,
  secrets: readonly string[],
  profileFile = discoverFile,
) {
  const answersFile = join(dir, `answers-${Date.now()}.yaml`);
  writeFileSync(answersFile, stringify(answers));
  const child = cliWithFd3(
    [
      'run',
      runbook,
      '--profile',
      profileFile,
      '--headless',
      '--answers',
      answersFile,
      '--secrets-fd',
      '3',
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
    ],
    { ...env, VAULT_TOKEN: rootToken },
  );
  const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
  fd3.on('error', () => undefined);
  fd3.end(secrets.map((s) => `${s}\n`).join(''));
  const r = await child;
  return { exitCode: r.exitCode, out: `${String(r.stdout)}\n${String(r.stderr)}` };
}

const sealedEverywhere = async (): Promise<boolean> => {
  const hs = await Promise.all((profile.vault.addresses ?? []).map((a) => health(a, caFile)));
  return hs.every((h) => !h || h.sealed !== false);
};

beforeAll(async () => {
  await ensureTools();
  profile = await sandboxUp(env);
  caFile = profile.vault.tls?.ca_cert ?? '';
  lb = profile.vault.api_addr ?? '';
  const addrs = profile.vault.addresses ?? [];
  const init = await vaultPut(
    addrs[0] ?? '',
    'sys/init',
    { secret_shares: 3, secret_threshold: 2 },
    caFile,
  );
  const body = init.json as { keys: string[]; root_token: string };
  shares = body.keys;
  rootToken = body.root_token;
  for (const a of addrs)
    for (const k of shares.slice(0, 2)) await vaultPut(a, 'sys/unseal', { key: k }, caFile);
  await until(
    'the load balancer on an active node',
    async () => ((await httpGet(`${lb}/v1/sys/health`, caFile)).status === 200 ? true : undefined),
    60_000,
  );
  await until('kv1 mounted', async () => {
    const r = await vaultPut(
      lb,
      'sys/mounts/kv1',
      { type: 'kv', options: { version: '1' } },
      caFile,
      rootToken,
    );
    return r.status === 204 || r.status === 400 ? true : undefined;
  });
  await kvPut('kv1/canary', 'alive');
  const m = await httpGet(`${lb}/v1/sys/mounts`, caFile, rootToken);
  kv1Uuid =
    (JSON.parse(m.body) as { data: Record<string, { uuid: string }> }).data['kv1/']?.uuid ?? '';
  // The terraform output's shape: nodes found from the ASG (moto's IPs are not the sandbox's
  // loopback addresses, so the address comes from the tag the sandbox writes).
  const { addresses: _fixed, dr_addresses: _dr, ...vault } = profile.vault;
  discoverFile = join(dir, 'discover.yaml');
  writeFileSync(
    discoverFile,
    stringify({
      ...profile,
      name: 'sandbox',
      vault: {
        ...vault,
        discover: { asg: profile.aws?.asg, address_tag: 'vault-runbook:address' },
        tls: { ...vault.tls, server_name: 'localhost' },
      },
    }),
  );
}, 30 * 60_000);

afterAll(async () => {
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('runbooks on a profile that discovers its nodes (vault.discover)', () => {
  it('Given a discovering profile, When s3-secret-recovery runs in place, Then the start step waits for the recorded size, the keyholders’ shares unseal the restarted nodes and the old value reads again', async () => {
    const key = `logical/${kv1Uuid}/app`;
    const v1 = await versionWritten(key, () => kvPut('kv1/app', 'v1'));
    await kvPut('kv1/app', 'v2');
    const r = await run(
      's3-secret-recovery',
      { path: 'kv1/app', version: v1, mode: 'in-place' },
      { stop: 'sandbox' },
      shares.slice(0, 2),
    );
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(/3 node\(s\) answer \(sealed\)/);
    expect(r.out).toMatch(/unsealed/);
    expect(await until('app through the load balancer', () => kvGet('kv1/app'), 60_000)).toBe('v1');
    expect(await sealedEverywhere()).toBe(false);
  }, 900_000);

  it('Given a typo in the node name or the AZ, or a timeout that is not a duration, When replace-node runs headless with the cluster name confirmed, Then it stops before the destructive step (precondition, exit 4) naming the known nodes or AZs, and no instance is terminated', async () => {
    const before = (await statusJson(env)).processes
      .filter((p) => p.role === 'vault' && p.region === 'primary')
      .map((p) => p.instanceId ?? '')
      .sort();
    const typos: Record<string, string>[] = [
      { nodes: 'node-9' },
      { az: 'us-east-9z' },
      { timeout: 'abc' },
    ];
    for (const vars of typos) {
      const r = await run('replace-node', vars, { replace: 'sandbox' }, []);
      expect(r.exitCode, r.out).toBe(4);
      expect(r.out).not.toMatch(/confirmed destructive step/);
      if (vars.nodes) expect(r.out).toMatch(/unknown node\(s\) node-9 \(known: i-/);
      if (vars.az)
        expect(r.out).toMatch(
          /AZ us-east-9z is not one of the group's nor of its region us-east-1 \(its AZs: us-east-1a, /,
        );
      if (vars.timeout) expect(r.out).toMatch(/timeout: invalid duration 'abc'/);
    }
    const after = (await statusJson(env)).processes
      .filter((p) => p.role === 'vault' && p.region === 'primary')
      .map((p) => p.instanceId ?? '')
      .sort();
    expect(after).toEqual(before);
  }, 300_000);

  it('Given the terraform-shaped profile without any DR node (no dr_discover, no dr_addresses) and the primary region down, When region-failover runs, Then the assessment says the DR side is not ready and the run stops before the fence: the primary ASG stays at its size and DR at 0', async () => {
    const noDr = variant('no-dr', ({ dr_discover: _d, ...v }) => v);
    await until('replication caught up', async () =>
      (await statusJson(env)).replication?.pendingVersions === 0 ? true : undefined,
    );
    expect((await sandbox(['fault', 'region-down'], env)).exitCode).toBe(0);
    const r = await run(
      'region-failover',
      { canary: 'kv1/canary', canary_kv: '1' },
      { declare: 'sandbox' },
      shares.slice(0, 2),
      noDr,
    );
    expect(r.exitCode, r.out).not.toBe(0);
    expect(r.out).toMatch(/nodes: NONE KNOWN/);
    expect(r.out).toMatch(/not declaring: the DR side is not ready/);
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(3);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(0);
  }, 600_000);

  it('Given the same profile with vault.dr_discover (what terraform output writes) and the primary still down, When region-failover runs, Then the shares unseal the discovered DR nodes and DR serves the canary; status sees the DR nodes by instance id', async () => {
    const withDr = variant('with-dr', (v) => ({
      ...v,
      dr_discover: { asg: profile.aws?.dr_asg, address_tag: 'vault-runbook:address' },
    }));
    const r = await run(
      'region-failover',
      { canary: 'kv1/canary', canary_kv: '1' },
      { declare: 'sandbox' },
      shares.slice(1, 3),
      withDr,
    );
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(/nodes: found from .* \(vault\.dr_discover\)/);
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(3);
    const c = await httpGet(`${profile.vault.dr_api_addr ?? ''}/v1/kv1/canary`, caFile, rootToken);
    expect(c.status, c.body).toBe(200);
    const drIds = (await statusJson(env)).processes
      .filter((p) => p.role === 'vault' && p.region === 'dr')
      .map((p) => p.instanceId ?? '')
      .sort();
    const st = await until(
      'status --json with the DR nodes',
      async () => {
        const s = await cli(['status', '--json', '--profile', withDr], env);
        const j = JSON.parse(s.stdout || '{}') as { failover?: { drNodes?: { name: string }[] } };
        const names = (j.failover?.drNodes ?? []).map((n) => n.name).sort();
        return names.length === 3 ? names : undefined;
      },
      60_000,
    );
    expect(st).toEqual(drIds);
  }, 900_000);
});
