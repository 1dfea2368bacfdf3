import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { VaultHttp } from '../../src/adapters/vault.js';
import { awsForProfile } from '../../src/app/ports.js';
import type { Profile } from '../../src/domain/schema.js';
import { Secret } from '../../src/domain/secret.js';
import { layout, motoUrl, SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { readDnsTarget } from '../../src/sandbox/dns.js';
import { Route53Client } from '@aws-sdk/client-route-53';
import { BIN, cli, cliWithFd3, feedSecrets } from '../support/cli.js';
import {
  journalEvents,
  runIds,
  runsDirOf,
  sigkillWhen,
  starts,
  succeeded,
} from '../support/journal-watch.js';
import { hasTmux, Tmux, tmuxEnv } from '../support/tmux.js';
import type { RunEvent } from '../../src/engine/state.js';
import { SANDBOX_TAG } from '../../src/sandbox/provision.js';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { headlessCeremony, type CeremonyRun } from '../support/ceremony.js';
import type { GpgHome } from '../support/pgp.js';
import { s3, sandbox, sandboxEnv, statusJson, until, versionsOf } from './helpers.js';
import { ceremonySandbox } from './setup.js';

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

/** Through the profile's AWS endpoint by default; `direct` reads moto itself (the region's own truth while its APIs are down). */
const asgDesired = async (
  region: string,
  name: string,
  direct = false,
): Promise<number | undefined> => {
  const c = new AutoScalingClient({
    region,
    endpoint: direct ? motoUrl(l) : moto,
    credentials,
    maxAttempts: 1,
  });
  const r = await c.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return r.AutoScalingGroups?.[0]?.DesiredCapacity;
};

const dnsRegion = async (): Promise<string | undefined> => {
  const r53 = new Route53Client({ region: 'us-east-1', endpoint: moto, credentials });
  return (
    await readDnsTarget(l, r53, profile.aws?.route53?.zone_id ?? '', AbortSignal.timeout(5_000))
  ).region;
};

/** Every instance the sandbox's ASG of a region ever launched (moto keeps terminated ones). */
const launches = async (side: 'primary' | 'dr'): Promise<string[]> => {
  const r = l.regions[side];
  const c = new EC2Client({ region: r.region, endpoint: moto, credentials });
  const out = await c.send(
    new DescribeInstancesCommand({ Filters: [{ Name: `tag:${SANDBOX_TAG}`, Values: [r.key] }] }),
  );
  return (out.Reservations ?? []).flatMap((x) =>
    (x.Instances ?? []).map((i) => i.InstanceId ?? ''),
  );
};

const launchedSince = async (side: 'primary' | 'dr', before: readonly string[]) =>
  (await launches(side)).filter((i) => !before.includes(i)).length;

/** The events of a run since its last resume began (the whole run before any resume). */
function sinceResume(events: readonly RunEvent[]): readonly RunEvent[] {
  const at = events.map((e) => e.type).lastIndexOf('run-resumed');
  return at < 0 ? events : events.slice(at);
}

const runs = (): string => runsDirOf(env);

/**
 * DR's bucket holds every current object of the primary's, as it is there (key and ETag), and
 * the emulated CRR has nothing pending. Its pending count alone is no proof: it is counted per
 * pass, so a write made after the last pass began is not in it yet.
 */
const replicationCaughtUp = () =>
  until(
    'DR holding every object of the primary',
    async () => {
      const a = profile.aws;
      if (!a?.data_bucket || !a.dr_data_bucket) throw new Error('no data buckets in the profile');
      const aws = awsForProfile(profile);
      if (!aws) throw new Error('no AWS port for the sandbox profile');
      const signal = AbortSignal.timeout(20_000);
      const [p, d] = await Promise.all([
        aws.listObjects(a.data_bucket, a.region, signal),
        aws.listObjects(a.dr_data_bucket, a.dr_region ?? a.region, signal),
      ]);
      const onDr = new Set(d.objects.map((o) => `${o.key} ${o.etag ?? ''}`));
      const copied = p.objects.every((o) => onDr.has(`${o.key} ${o.etag ?? ''}`));
      const pending = (await statusJson(env)).replication?.pendingVersions;
      return copied && pending === 0 ? true : undefined;
    },
    120_000,
  );

/** The id of the run a child started: the one journal that was not there before it. */
function newRunId(): () => string | undefined {
  const before = new Set(runIds(runs()));
  return () => runIds(runs()).find((r) => !before.has(r));
}

const tmux = new Tmux(`vr-failover-${process.pid}`);

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

/**
 * A headless run (`run <id>`) or resume (`resume <run-id>`), the shares on fd 3. The answers
 * file is named after the runbook, so a resume passes the runbook's id as `answersFor`.
 */
function start(
  args: readonly string[],
  answersFor: string,
  answers: Record<string, string>,
  shares: readonly string[],
  extraEnv: NodeJS.ProcessEnv = {},
) {
  const file = join(dir, `${answersFor}-answers.yaml`);
  writeFileSync(file, stringify(answers));
  const vars = args[0] === 'run' ? ['--var', 'canary=kv/canary', '--var', 'canary_kv=1'] : [];
  const child = cliWithFd3(
    [...args, '--headless', '--answers', file, '--secrets-fd', '3', ...vars],
    { ...env, VAULT_TOKEN: token, ...extraEnv },
  );
  feedSecrets(child, shares);
  return child;
}

async function runbook(
  id: string,
  answers: Record<string, string>,
  shares: readonly string[],
  args: readonly string[] = ['run', id, '--profile', profilePath],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ exitCode: number | undefined; out: string }> {
  const r = await start(args, id, answers, shares, extraEnv);
  return { exitCode: r.exitCode, out: `${String(r.stdout)}\n${String(r.stderr)}` };
}

beforeAll(async () => {
  ({ gpg, profile, profilePath, ca } = await ceremonySandbox(
    env,
    dir,
    NAMES,
    'failover-profile.yaml',
  ));
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
  tmux.stop();
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
    await replicationCaughtUp();
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
    // One round can miss an AWS answer under load (each call has a short deadline): ask again.
    const st = await until(
      'status with both regions',
      async () => {
        const r = await cli(['status', '--profile', profilePath], { ...env, VAULT_TOKEN: token });
        return /region dr .*desired 3/.test(r.stdout) ? r : undefined;
      },
      30_000,
    );
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

  it('Given DR serving and the primary back, When region-failback is SIGKILLed right after DR is fenced and then resumed, Then it finishes once: the DR write copied once, the primary started once, DNS on the primary and DR at 0', async () => {
    await kvPut(profile.vault.dr_api_addr ?? '', 'on-dr-2', 'second DR write');
    expect((await sandbox(['fault', 'region-up'], env)).exitCode).toBe(0);
    const primaryBefore = await launches('primary');
    const runIdOf = newRunId();
    const first = start(
      ['run', 'region-failback', '--profile', profilePath],
      'region-failback',
      { declare: 'sandbox' },
      run.shares,
    );
    const killed = await sigkillWhen(
      first,
      runs(),
      runIdOf,
      (ev) => succeeded(ev, 'fence-dr'),
      300_000,
    );
    expect((await first).signal).toBe('SIGKILL');
    // Killed with DR fenced (every DR node sealed) and nothing started on the primary.
    for (const a of profile.vault.dr_addresses ?? []) {
      const { vault, node } = lb(a);
      expect(await vault.health(node, AbortSignal.timeout(5_000))).toMatchObject({ code: 503 });
    }
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);
    const r = await runbook('region-failback', { declare: 'sandbox' }, run.shares, [
      'resume',
      killed.runId,
    ]);
    expect(r.exitCode, r.out).toBe(0);
    const events = journalEvents(runs(), killed.runId);
    expect(starts(events, 'declare')).toBe(1);
    expect(starts(events, 'fence-dr')).toBe(1);
    expect(starts(events, 'scale-primary')).toBe(1);
    expect(starts(events, 'dns')).toBe(1);
    expect(await kvGet(profile.vault.api_addr ?? '', 'on-dr-2')).toBe('second DR write');
    // One copy of DR's object on the primary bucket, however many times the sync was started.
    const copies = await versionsOf(
      s3(profile.aws?.endpoints?.s3 ?? '', l.regions.primary.region),
      l.regions.primary.bucket,
      `logical/${kvUuid}/on-dr-2`,
    );
    expect(copies).toHaveLength(1);
    expect(await launchedSince('primary', primaryBefore)).toBe(3);
    expect(await dnsRegion()).toBe('primary');
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(0);
  }, 600_000);

  it.skipIf(!hasTmux)(
    'Given the primary region down, When the operator declares in the TUI and the keyholders type their shares, Then the status pane shows both regions, the DR nodes unsealing and becoming active and DNS moving to DR, and DR serves the canary',
    async () => {
      // DR holds the operator token and the canary only once replication has copied them:
      // run alone, this scenario comes right after the ceremony that wrote both.
      await replicationCaughtUp();
      expect((await sandbox(['fault', 'region-down'], env)).exitCode).toBe(0);
      const name = 'failover-tui';
      tmux.start(
        name,
        `${tmuxEnv({ ...env, VAULT_TOKEN: token })} ${process.execPath} ${BIN} run region-failover --profile ${profilePath} --var canary=kv/canary --var canary_kv=1; echo "EXIT=$?"; sleep 120`,
        160,
        70,
      );
      const seen: string[] = [];
      try {
        // The declaration, with both regions on screen: DR not started, DNS still on the primary.
        let screen = await tmux.waitFor(name, 'to go on', 120_000, seen);
        // The pane shows the nodes first and the AWS rows once the SDK has answered.
        screen = await tmux.waitFor(name, /DR region · ASG 0\/0 in service/, 30_000, seen);
        expect(screen).toMatch(/primary region · ASG/);
        expect(screen).toMatch(/DNS \S+ → the primary load balancer/);
        expect(screen).toMatch(/node-1\s.*unreachable/);
        tmux.type(name, 'sandbox');
        const first = await tmux.waitFor(name, /Keyholder 1 of (\d)/, 240_000, seen);
        const t = Number(/Keyholder 1 of (\d)/.exec(first)?.[1]);
        for (let i = 0; i < t; i++) {
          await tmux.waitFor(name, `Keyholder ${i + 1} of ${t}`, 60_000, seen);
          tmux.type(name, run.shares[i] ?? '');
          // The pane follows the keyholders: each DR node's unseal progress, then unsealed.
          if (i < t - 1)
            await tmux.waitFor(
              name,
              new RegExp(`dr-node-1\\s.*sealed ${i + 1}/${t}`),
              30_000,
              seen,
            );
        }
        await tmux.waitFor(name, 'Run succeeded', 240_000, seen);
        screen = await tmux.waitFor(
          name,
          (x) =>
            /dr-node-\d\s.*unsealed\s+active/.test(x) &&
            /DNS \S+ → the DR load balancer/.test(x) &&
            /DR region · ASG 3\/3 in service · HA lock https/.test(x),
          60_000,
          seen,
        );
        expect(screen).toMatch(/primary region · ASG 0\/0 in service/);
        process.stdout.write(`TUI ${/RTO automated part: [\d.]+ s/.exec(screen)?.[0] ?? ''}\n`);
        tmux.keys(name, 'q');
        await tmux.waitFor(name, 'EXIT=0', 20_000, seen);
      } finally {
        tmux.kill(name);
      }
      for (const sh of run.shares) expect(seen.join('\n')).not.toContain(sh);
      expect(await kvGet(profile.vault.dr_api_addr ?? '', 'canary')).toBe('before');
      expect(await dnsRegion()).toBe('dr');
      expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);
      expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(3);
    },
    600_000,
  );

  it('Given the primary region down again, When region-failover is SIGKILLed after the fence and its resume SIGKILLed after the DR scale-up, Then the second resume finishes: DR launched the primary size once, the primary stayed at 0, DNS flipped once, the canary reads through DR', async () => {
    // Back to the primary first (a plain failback), then lose it again.
    expect((await sandbox(['fault', 'region-up'], env)).exitCode).toBe(0);
    const back = await runbook('region-failback', { declare: 'sandbox' }, run.shares);
    expect(back.exitCode, back.out).toBe(0);
    expect((await sandbox(['fault', 'region-down'], env)).exitCode).toBe(0);
    const drBefore = await launches('dr');
    const primaryBefore = await launches('primary');
    const answers = { declare: 'sandbox' };
    const runIdOf = newRunId();
    const first = start(
      ['run', 'region-failover', '--profile', profilePath],
      'region-failover',
      answers,
      run.shares,
    );
    const { runId } = await sigkillWhen(
      first,
      runs(),
      runIdOf,
      (ev) => succeeded(ev, 'fence'),
      300_000,
    );
    expect((await first).signal).toBe('SIGKILL');
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);

    // In the middle of the promotion: DR scaled up, its instances awaited, nothing unsealed yet.
    const second = start(['resume', runId], 'region-failover', answers, run.shares);
    await sigkillWhen(
      second,
      runs(),
      () => runId,
      (ev) => sinceResume(ev).some((e) => e.type === 'step-started' && e.stepId === 'instances'),
      300_000,
    );
    expect((await second).signal).toBe('SIGKILL');
    expect(succeeded(journalEvents(runs(), runId), 'unseal')).toBe(false);
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(3);

    const r = await runbook('region-failover', answers, run.shares, ['resume', runId]);
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(/RTO automated part: [\d.]+ s/);
    process.stdout.write(
      `after two kills: ${/RTO automated part: [^\n]*/.exec(r.out)?.[0] ?? ''}\n`,
    );
    const events = journalEvents(runs(), runId);
    expect(events.filter((e) => e.type === 'run-resumed')).toHaveLength(2);
    expect(starts(events, 'declare')).toBe(1);
    expect(starts(events, 'fence')).toBe(1);
    expect(starts(events, 'dns')).toBe(1);
    expect(await launchedSince('dr', drBefore)).toBe(3);
    expect(await launchedSince('primary', primaryBefore)).toBe(0);
    expect(await asgDesired(l.regions.primary.region, l.regions.primary.asg)).toBe(0);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(3);
    expect(await dnsRegion()).toBe('dr');
    expect(await kvGet(profile.vault.dr_api_addr ?? '', 'canary')).toBe('before');
  }, 900_000);

  it('Given the primary region down with its AWS APIs, When region-failover runs headless, Then it stops for the fence checklist without an answer, and with the operator acknowledging it DR serves the canary with DNS on DR, the journal naming who fenced and how, and the primary ASG never touched; once the region is back, status warns that its ASG wants 3 while DNS names DR and region-failback fences it first (a journaled scale to 0)', async () => {
    // From wherever the scenarios before left it: back to the primary first.
    if ((await dnsRegion()) === 'dr') {
      expect((await sandbox(['fault', 'region-up'], env)).exitCode).toBe(0);
      const back = await runbook('region-failback', { declare: 'sandbox' }, run.shares);
      expect(back.exitCode, back.out).toBe(0);
    }
    await kvPut(profile.vault.api_addr ?? '', 'canary', 'before apis-down');
    // The canary must have reached DR before the region goes: this scenario is about the fence.
    const key = `logical/${kvUuid}/canary`;
    const etag = async (side: 'primary' | 'dr') =>
      (
        await s3(profile.aws?.endpoints?.s3 ?? '', l.regions[side].region).send(
          new HeadObjectCommand({ Bucket: l.regions[side].bucket, Key: key }),
        )
      ).ETag;
    const written = await etag('primary');
    await until('the canary replicated to DR', async () =>
      (await etag('dr')) === written ? true : undefined,
    );
    const primary = l.regions.primary;
    expect(await asgDesired(primary.region, primary.asg)).toBe(3);
    const down = await sandbox(['fault', 'region-down', 'apis-down'], env);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/AWS APIs/);
    expect((await sandbox(['status'], env)).stdout).toMatch(
      /faults: primary region down \(its AWS APIs too\)/,
    );
    // The region's Auto Scaling API no longer answers through the profile; Route 53 still does.
    await expect(asgDesired(primary.region, primary.asg)).rejects.toThrow();
    expect(await dnsRegion()).toBe('primary');

    const operator = { VAULT_RUNBOOK_OPERATOR: 'Dana Oncall' };
    const runIdOf = newRunId();
    const waiting = await runbook(
      'region-failover',
      { declare: 'sandbox' },
      run.shares,
      undefined,
      operator,
    );
    // No answer for the checklist: the run stops and says what it waits for, it does not hang.
    expect(waiting.exitCode, waiting.out).toBe(10);
    expect(waiting.out).toMatch(/Auto Scaling API does not answer/);
    expect(waiting.out).toMatch(/fence/);
    const runId = runIdOf() ?? '';
    expect(runId).not.toBe('');
    expect(succeeded(journalEvents(runs(), runId), 'fence')).toBe(false);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(0);

    const r = await runbook(
      'region-failover',
      { declare: 'sandbox', fence: 'all' },
      run.shares,
      ['resume', runId],
      operator,
    );
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(/the primary region's Auto Scaling API does not answer/);
    expect(r.out).toMatch(/fencing acknowledged by Dana Oncall/);
    expect(r.out).toMatch(/the primary region is fenced \(acknowledged-by-operator/);
    // The run never asked the primary's ASG to scale: it could not reach it, and said so.
    expect(r.out).not.toMatch(/vault-sandbox-primary \(us-east-1\): desired/);
    expect(await asgDesired(primary.region, primary.asg, true)).toBe(3);
    const events = journalEvents(runs(), runId);
    expect(events.find((e) => e.type === 'human-answered' && e.stepId === 'fence')).toMatchObject({
      by: 'Dana Oncall',
      // Every point of the checklist, as the operator confirmed it.
      answer: [
        expect.stringMatching(/none can come back by itself/),
        expect.stringMatching(/IAM role detached/),
        expect.stringMatching(/scale the primary Auto Scaling group to 0/),
      ],
    });
    expect(events.find((e) => e.type === 'step-succeeded' && e.stepId === 'fence')).toMatchObject({
      outputs: { fenced: true, how: 'acknowledged-by-operator', by: 'Dana Oncall' },
    });
    expect(await kvGet(profile.vault.dr_api_addr ?? '', 'canary')).toBe('before apis-down');
    expect(await dnsRegion()).toBe('dr');
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(3);

    // The region comes back: nothing un-fences it. Its ASG was never scaled (the operator
    // vouched for the fence), so the instances it holds boot again — sealed, never unsealed.
    expect((await sandbox(['fault', 'region-up'], env)).exitCode).toBe(0);
    expect(await asgDesired(primary.region, primary.asg)).toBe(3);
    const st = await until(
      'the primary nodes booting after region-up',
      async () => {
        const hs = await Promise.all(
          (profile.vault.addresses ?? []).map((a) =>
            lb(a).vault.health(lb(a).node, AbortSignal.timeout(5_000)),
          ),
        );
        return hs.every((h) => h.reachable) ? hs : undefined;
      },
      120_000,
    );
    expect(st).toHaveLength(3);
    for (const h of st) expect(h).toMatchObject({ code: 503, body: { sealed: true } });
    expect(await dnsRegion()).toBe('dr');
    expect(await kvGet(profile.vault.dr_api_addr ?? '', 'canary')).toBe('before apis-down');

    // Status says so (the primary ASG wants 3 while DNS names DR) ...
    const warned = await until(
      'status warning of the primary ASG while DR serves',
      async () => {
        const w = await cli(['status', '--profile', profilePath], { ...env, VAULT_TOKEN: token });
        return /WARNING: the primary ASG \S+ wants 3 instance\(s\) while DNS names DR/.test(
          w.stdout,
        )
          ? w
          : undefined;
      },
      60_000,
    );
    expect(warned.stdout).toContain('region-failback scales it to 0 first');

    // ... and the failback reports it before the declaration, then fences it as a journaled step.
    const backId = newRunId();
    const back = await runbook('region-failback', { declare: 'sandbox' }, run.shares);
    expect(back.exitCode, back.out).toBe(0);
    expect(back.out).toMatch(/the primary ASG \S+ wants 3 instance\(s\) while DR serves/);
    expect(back.out).toMatch(/vault-sandbox-primary \(us-east-1\): desired 3 → 0/);
    const backEvents = journalEvents(runs(), backId() ?? '');
    expect(
      backEvents.find((e) => e.type === 'step-succeeded' && e.stepId === 'fence-primary'),
    ).toMatchObject({ outputs: { fenced: true, how: 'asg-scaled-to-0', previous_desired: 3 } });
    expect(await kvGet(profile.vault.api_addr ?? '', 'canary')).toBe('before apis-down');
    expect(await dnsRegion()).toBe('primary');
    expect(await asgDesired(primary.region, primary.asg)).toBe(3);
    expect(await asgDesired(l.regions.dr.region, l.regions.dr.asg)).toBe(0);
  }, 1_200_000);
});
