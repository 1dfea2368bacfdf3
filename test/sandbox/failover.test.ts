import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { VaultHttp } from '../../src/adapters/vault.js';
import type { Profile } from '../../src/domain/schema.js';
import { Secret } from '../../src/domain/secret.js';
import { layout, SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { readDnsTarget } from '../../src/sandbox/dns.js';
import { Route53Client } from '@aws-sdk/client-route-53';
import { cli, cliWithFd3 } from '../support/cli.js';
import { headlessCeremony, type CeremonyRun } from '../support/ceremony.js';
import { makeGpgKeys, type GpgHome } from '../support/pgp.js';
import { ensureTools } from '../support/tools.js';
import { profileFile, sandbox, sandboxEnv, statusJson, until } from './helpers.js';

/**
 * Issue 13 on one real sandbox: a healthy primary stops the failover at the declaration; a
 * write that has not replicated is named by the assessment; failover → DR serves the canary
 * with DNS on DR and the primary at 0; failback → what DR wrote is on the primary, DNS back,
 * DR at 0; a second failover after a full region-down (S3 gone too).
 */
const NAMES = ['Alice', 'Bob', 'Carol'];
const { dir, env } = sandboxEnv(94);
const l = layout(env);
const credentials = { ...SANDBOX_CREDENTIALS };
let gpg: GpgHome;
let profile: Profile;
let profilePath = '';
let ca = '';
let run: CeremonyRun;
let token = '';
let moto = '';
let kvUuid = '';

const asgDesired = async (region: string, name: string): Promise<number | undefined> => {
  const c = new AutoScalingClient({ region, endpoint: moto, credentials });
  const r = await c.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return r.AutoScalingGroups?.[0]?.DesiredCapacity;
};

const dnsRegion = async (): Promise<string | undefined> => {
  const r53 = new Route53Client({ region: 'us-east-1', endpoint: moto, credentials });
  return (
    await readDnsTarget(l, r53, profile.aws?.route53?.zone_id ?? '', AbortSignal.timeout(5_000))
  ).region;
};

function lb(address: string): { vault: VaultHttp; node: { name: string; address: string } } {
  const vault = new VaultHttp({ nodes: [{ name: 'lb', address }], caCert: ca });
  return { vault, node: { name: 'lb', address } };
}

async function kvPut(address: string, path: string, value: string): Promise<void> {
  const { vault, node } = lb(address);
  await until(
    `write kv/${path} through ${address}`,
    () =>
      vault
        .kvWrite(
          node,
          new Secret(token),
          { mount: 'kv', path, kv: 1 },
          { value },
          AbortSignal.timeout(10_000),
        )
        .then(() => true),
    60_000,
  );
}

async function kvGet(address: string, path: string): Promise<string | undefined> {
  const { vault, node } = lb(address);
  const r = await vault.kvRead(
    node,
    new Secret(token),
    { mount: 'kv', path, kv: 1 },
    AbortSignal.timeout(10_000),
  );
  return r?.data.value?.reveal();
}

async function runbook(
  id: string,
  answers: Record<string, string>,
  shares: readonly string[],
): Promise<{ exitCode: number | undefined; out: string }> {
  const file = join(dir, `${id}-answers.yaml`);
  writeFileSync(file, stringify(answers));
  const child = cliWithFd3(
    [
      'run',
      id,
      '--profile',
      profilePath,
      '--headless',
      '--answers',
      file,
      '--secrets-fd',
      '3',
      '--var',
      'canary=kv/canary',
      '--var',
      'canary_kv=1',
    ],
    { ...env, VAULT_TOKEN: token },
  );
  const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
  fd3.on('error', () => undefined);
  fd3.end(shares.map((s) => `${s}\n`).join(''));
  const r = await child;
  return { exitCode: r.exitCode, out: `${String(r.stdout)}\n${String(r.stderr)}` };
}

beforeAll(async () => {
  await ensureTools();
  gpg = await makeGpgKeys(NAMES);
  const up = await sandbox(['up'], env);
  if (up.exitCode !== 0) throw new Error(`sandbox up: ${up.stderr}`);
  const base = parse(readFileSync(profileFile(env), 'utf8')) as Profile;
  profile = {
    ...base,
    keyholders: gpg.keys.map((k) => ({ name: k.name, email: k.email, pgp_key: k.armoredFile })),
  };
  profilePath = join(dir, 'failover-profile.yaml');
  writeFileSync(profilePath, stringify(profile));
  ca = profile.vault.tls?.ca_cert ?? '';
  moto = profile.aws?.endpoints?.autoscaling ?? '';
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  run = await headlessCeremony({
    env,
    cwd: work,
    profile: profilePath,
    gpg,
    dir: join(work, 'ceremony'),
    auditFile: join(dir, 'vault-audit.log'),
    operator: 'Alice',
    unsealWith: 3,
    timeoutMs: 120_000,
  });
  if (run.exitCode !== 0 || !run.operatorToken)
    throw new Error(`ceremony failed: ${run.stdout}\n${run.stderr}`);
  token = run.operatorToken;
  const api = profile.vault.api_addr ?? '';
  const { vault, node } = lb(api);
  await until(
    'the kv mount',
    () =>
      vault
        .mountEnable(
          node,
          new Secret(token),
          'kv',
          { type: 'kv', version: '1' },
          AbortSignal.timeout(10_000),
        )
        .then(() => true),
    60_000,
  );
  const mounts = await vault.mounts(node, new Secret(token), AbortSignal.timeout(10_000));
  kvUuid = mounts.find((m) => m.path === 'kv/')?.uuid ?? '';
  await kvPut(api, 'canary', 'before');
}, 30 * 60_000);

afterAll(async () => {
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('region failover and failback on the real sandbox', () => {
  it('Given a healthy primary, When region-failover runs headless without insisting, Then the assessment says so and the run stops at the declaration with nothing scaled', async () => {
    const r = await runbook('region-failover', { declare: 'sandbox' }, run.shares);
    expect(r.exitCode, r.out).toBe(10);
    expect(r.out).toMatch(/VERDICT: the primary is HEALTHY/);
    expect(r.out).toMatch(/insist/);
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(3);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(0);
    expect(await dnsRegion()).toBe('primary');
  }, 120_000);

  it('Given replication lagging 30 s and a write just before the region goes down, When region-failover runs, Then the assessment names the object DR lacks and DR serves the canary with DNS on DR and the primary ASG at 0', async () => {
    await until('replication caught up', async () => {
      const s = await statusJson(env);
      return s.replication?.pendingVersions === 0 ? true : undefined;
    });
    expect((await sandbox(['fault', 'replication-lag', '30'], env)).exitCode).toBe(0);
    await kvPut(profile.vault.api_addr ?? '', 'lagged', 'never replicated');
    expect((await sandbox(['fault', 'region-down', 's3-up'], env)).exitCode).toBe(0);
    const r = await runbook('region-failover', { declare: 'sandbox' }, run.shares);
    expect(r.exitCode, r.out).toBe(0);
    const lagged = `logical/${kvUuid}/lagged`;
    expect(r.out).toMatch(new RegExp(`${lagged}\\s+primary \\S+\\s+DR missing`));
    expect(r.out).toMatch(/RTO automated part: [\d.]+ s/);
    process.stdout.write(`${/RTO automated part: [^\n]*/.exec(r.out)?.[0] ?? ''}\n`);
    expect(await kvGet(profile.vault.dr_api_addr ?? '', 'canary')).toBe('before');
    expect(await dnsRegion()).toBe('dr');
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(3);
    // status shows both regions, the DNS target and the DR nodes.
    const st = await cli(['status', '--profile', profilePath], { ...env, VAULT_TOKEN: token });
    expect(st.stdout).toMatch(/region primary .*desired 0/);
    expect(st.stdout).toMatch(/region dr .*desired 3/);
    expect(st.stdout).toContain(`= the dr load balancer`);
    expect(st.stdout).toMatch(/DR nodes: dr-node-1 (200|429)/);
    expect(st.stdout).toMatch(/replication: /);
  }, 600_000);

  it('Given a secret written while on DR, When region-up and region-failback run, Then it is readable through the primary, DNS points at the primary and DR is at 0', async () => {
    await kvPut(profile.vault.dr_api_addr ?? '', 'on-dr', 'written on DR');
    expect((await sandbox(['fault', 'region-up'], env)).exitCode).toBe(0);
    const r = await runbook('region-failback', { declare: 'sandbox' }, run.shares);
    expect(r.exitCode, r.out).toBe(0);
    // The write that never replicated is reported as superseded before anything changes.
    expect(r.out).toContain(`logical/${kvUuid}/lagged`);
    expect(r.out).toMatch(/never reached DR and are SUPERSEDED/);
    expect(await kvGet(profile.vault.api_addr ?? '', 'on-dr')).toBe('written on DR');
    expect(await kvGet(profile.vault.api_addr ?? '', 'lagged')).toBeUndefined();
    expect(await dnsRegion()).toBe('primary');
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(0);
    const s = (await statusJson(env)) as { replication?: { paused?: string } };
    expect(s.replication?.paused).toBeUndefined();
  }, 600_000);

  it('Given a full region-down (S3 unreachable too), When region-failover runs, Then the assessment says what it cannot list and DR serves the canary with DNS on DR and the primary ASG at 0', async () => {
    expect((await sandbox(['fault', 'replication-lag', '0'], env)).exitCode).toBe(0);
    expect((await sandbox(['fault', 'region-down'], env)).exitCode).toBe(0);
    const r = await runbook('region-failover', { declare: 'sandbox' }, run.shares);
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(/the primary bucket does not answer/);
    expect(r.out).toMatch(/RTO automated part: [\d.]+ s/);
    process.stdout.write(`${/RTO automated part: [^\n]*/.exec(r.out)?.[0] ?? ''}\n`);
    expect(await kvGet(profile.vault.dr_api_addr ?? '', 'on-dr')).toBe('written on DR');
    expect(await dnsRegion()).toBe('dr');
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);
  }, 600_000);
});
