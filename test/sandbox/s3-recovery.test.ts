import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { stringify } from 'yaml';
import { awsForProfile } from '../../src/app/ports.js';
import type { AwsPort } from '../../src/engine/aws.js';
import { s3RecoveryContract } from '../../src/test-support/aws-s3-contract.js';
import type { Profile } from '../../src/domain/schema.js';
import { layout, SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { sandboxRecoveryNodes } from '../../src/sandbox/api.js';
import { journalPath, readJournal } from '../../src/adapters/journal.js';
import { pastRuns } from '../../src/adapters/journal-scan.js';
import { BIN, cli, cliWithFd3, feedSecrets, runIdFrom } from '../support/cli.js';
import { hasTmux, Tmux, tmuxEnv } from '../support/tmux.js';
import { ensureTools } from '../support/tools.js';
import { httpGet, s3, sandbox, sandboxEnv, statusJson, until, vaultPut } from './helpers.js';
import { initAndUnseal, sandboxUp } from './setup.js';

/**
 * Issue 12 on the real sandbox (3 Vault nodes on versioned MinIO S3, DynamoDB HA lock): the
 * S3 secret recovery runbook headless, in place and in quarantine, a deleted secret, and a KV
 * v2 path. One sandbox for every scenario; its own slot and XDG dirs.
 */
const { dir, env } = sandboxEnv(90);
const l = layout(env);
let profile: Profile;
let caFile = '';
let rootToken = '';
let shares: string[] = [];
let lb = '';
let kv1Uuid = '';
const figures: string[] = [];

const tables = async () =>
  (
    await new DynamoDBClient({
      region: 'us-east-1',
      endpoint: profile.aws?.endpoints?.dynamodb ?? '',
      credentials: { ...SANDBOX_CREDENTIALS },
    }).send(new ListTablesCommand({}))
  ).TableNames ?? [];

async function httpsDelete(path: string): Promise<number> {
  const { httpsRequest } = await import('../../src/sandbox/http.js');
  const r = await httpsRequest(`${lb}/v1/${path}`, {
    ca: readFileSync(caFile),
    method: 'DELETE',
    headers: { 'x-vault-token': rootToken },
    timeoutMs: 10_000,
  });
  return r.status;
}

// A private tmux server: never a developer's own sessions.
const tmux = new Tmux(`vr-s3-${process.pid}`);

const router = () => s3(profile.aws?.endpoints?.s3 ?? '', 'us-east-1');

async function kvGet(path: string): Promise<string | undefined> {
  const r = await httpGet(`${lb}/v1/${path}`, caFile, rootToken);
  if (r.status !== 200) return undefined;
  const b = JSON.parse(r.body) as { data: { value?: string; data?: { value: string } } };
  return b.data.data?.value ?? b.data.value;
}

async function kvPut(path: string, value: string): Promise<void> {
  const body = path.startsWith('kv2/data/') ? { data: { value } } : { value };
  const r = await vaultPut(lb, path, body, caFile, rootToken);
  if (r.status !== 204 && r.status !== 200) throw new Error(`write ${path}: ${r.status}`);
}

interface V {
  key: string;
  versionId: string;
  latest: boolean;
  deleteMarker: boolean;
}

async function allVersions(): Promise<V[]> {
  const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
  const out: V[] = [];
  let km: string | undefined;
  let vm: string | undefined;
  for (;;) {
    const r = await router().send(
      new ListObjectVersionsCommand({
        Bucket: l.regions.primary.bucket,
        KeyMarker: km,
        VersionIdMarker: vm,
      }),
    );
    for (const v of r.Versions ?? [])
      out.push({
        key: v.Key ?? '',
        versionId: v.VersionId ?? '',
        latest: v.IsLatest ?? false,
        deleteMarker: false,
      });
    for (const d of r.DeleteMarkers ?? [])
      out.push({
        key: d.Key ?? '',
        versionId: d.VersionId ?? '',
        latest: d.IsLatest ?? false,
        deleteMarker: true,
      });
    if (!r.IsTruncated) return out;
    km = r.NextKeyMarker;
    vm = r.NextVersionIdMarker;
  }
}

/** The latest version id of every logical/ object except `except`. */
async function logicalLatest(except: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await allVersions())
      .filter((v) => v.latest && v.key.startsWith('logical/') && v.key !== except)
      .map((v) => [v.key, v.versionId]),
  );
}

/** The object version that holds the value written at `after` (the one S3 made then). */
async function versionWritten(key: string, write: () => Promise<void>): Promise<string> {
  const before = new Set(
    (await allVersions()).filter((v) => v.key === key).map((v) => v.versionId),
  );
  await write();
  const made = (await allVersions()).filter(
    (v) => v.key === key && !v.deleteMarker && !before.has(v.versionId),
  );
  expect(made).toHaveLength(1);
  return made[0]?.versionId ?? '';
}

async function runbook(
  vars: Record<string, string>,
  answers: Record<string, string>,
  secrets: readonly string[],
) {
  const answersFile = join(dir, `answers-${Date.now()}.yaml`);
  writeFileSync(answersFile, stringify(answers));
  const child = cliWithFd3(
    [
      'run',
      's3-secret-recovery',
      '--headless',
      '--answers',
      answersFile,
      '--secrets-fd',
      '3',
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
    ],
    { ...env, VAULT_TOKEN: rootToken },
  );
  feedSecrets(child, secrets);
  const r = await child;
  return { exitCode: r.exitCode, out: `${String(r.stdout)}\n${String(r.stderr)}` };
}

beforeAll(async () => {
  await ensureTools();
  profile = await sandboxUp(env);
  caFile = profile.vault.tls?.ca_cert ?? '';
  lb = profile.vault.api_addr ?? '';
  // A real init: 3 shares, threshold 2; every node unsealed with two of them.
  ({ keys: shares, rootToken } = await initAndUnseal(profile, { shares: 3, threshold: 2 }));
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
  await vaultPut(
    lb,
    'sys/mounts/kv2',
    { type: 'kv', options: { version: '2' } },
    caFile,
    rootToken,
  );
  const m = await httpGet(`${lb}/v1/sys/mounts`, caFile, rootToken);
  kv1Uuid =
    (JSON.parse(m.body) as { data: Record<string, { uuid: string }> }).data['kv1/']?.uuid ?? '';
  expect(kv1Uuid).not.toBe('');
  await kvPut('kv1/canary', 'alive');
  await kvPut('kv1/other', 'untouched');
}, 60 * 60_000);

afterAll(async () => {
  if (figures.length) process.stdout.write(`\nS3 recovery figures:\n${figures.join('\n')}\n`);
  tmux.stop();
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('s3-secret-recovery on the real sandbox', () => {
  it('Given kv1/app written v1 then v2, When the runbook runs headless in place choosing v1’s object version, Then app reads v1, every other logical/ object is unchanged and the downtime is printed', async () => {
    const key = `logical/${kv1Uuid}/app`;
    const v1 = await versionWritten(key, () => kvPut('kv1/app', 'v1'));
    await kvPut('kv1/app', 'v2');
    expect(await kvGet('kv1/app')).toBe('v2');
    const before = await logicalLatest(key);
    const r = await runbook(
      { path: 'kv1/app', version: v1, mode: 'in-place' },
      { stop: 'sandbox' },
      shares,
    );
    expect(r.exitCode, r.out).toBe(0);
    expect(await until('app through the load balancer', () => kvGet('kv1/app'), 60_000)).toBe('v1');
    expect(await logicalLatest(key)).toEqual(before);
    const d = /downtime: ([\d.]+) s .*; ([\d.]+) s excluding typing/.exec(r.out);
    expect(d, r.out).not.toBeNull();
    figures.push(
      `in-place downtime: ${d?.[1]} s total, ${d?.[2]} s excluding keyholders (goal < 60 s)`,
    );
    // History kept: v1's version and v2's are both still there, under a new latest.
    const vs = (await allVersions()).filter((v) => v.key === key);
    expect(vs.map((v) => v.versionId)).toContain(v1);
    expect(vs.find((v) => v.latest)?.versionId).not.toBe(v1);
  }, 600_000);
  it('Given app at v2 again, When the runbook runs headless in quarantine mode, Then a reader polling the load balancer every 100 ms never fails, app ends v1, and no quarantine bucket, node or lock table is left', async () => {
    const key = `logical/${kv1Uuid}/app`;
    const v1 = await versionWritten(key, () => kvPut('kv1/app', 'v1-again'));
    await kvPut('kv1/app', 'v2');
    const tablesBefore = await tables();
    let reads = 0;
    const failures: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        reads++;
        const t = Date.now();
        try {
          const r = await httpGet(`${lb}/v1/kv1/canary`, caFile, rootToken);
          if (r.status !== 200) failures.push(`${r.status} at ${t}`);
        } catch (err) {
          failures.push(`${String(err)} at ${t}`);
        }
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const r = await runbook({ path: 'kv1/app', version: v1, mode: 'quarantine' }, {}, shares);
    polling = false;
    await poller;
    expect(r.exitCode, r.out).toBe(0);
    expect(await kvGet('kv1/app')).toBe('v1-again');
    expect(r.out).toMatch(/keys that change: value/);
    expect(r.out).not.toContain('v1-again');
    figures.push(`quarantine: ${failures.length} failed read(s) of ${reads} (goal 0)`);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    // Nothing of the quarantine is left: bucket, recovery node (process), lock table.
    const buckets = await router().send(new ListBucketsCommand({}));
    expect(
      (buckets.Buckets ?? []).map((b) => b.Name).filter((n) => n?.includes('quarantine')),
    ).toEqual([]);
    expect(await sandboxRecoveryNodes(env).list(AbortSignal.timeout(10_000))).toEqual([]);
    const st = await statusJson(env);
    expect(st.processes.filter((p) => p.name.startsWith('recovery-'))).toEqual([]);
    expect(await tables()).toEqual(tablesBefore);
  }, 600_000);

  it('Given a deleted secret (its latest S3 version a delete marker), When the runbook restores its last version, Then it reads again', async () => {
    const key = `logical/${kv1Uuid}/gone`;
    const v1 = await versionWritten(key, () => kvPut('kv1/gone', 'before-delete'));
    const del = await httpsDelete('kv1/gone');
    expect(del).toBe(204);
    const latest = (await allVersions()).find((v) => v.key === key && v.latest);
    expect(latest?.deleteMarker).toBe(true);
    const r = await runbook({ path: 'kv1/gone', version: v1, mode: 'quarantine' }, {}, shares);
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toContain('the latest version is a delete marker');
    expect(await kvGet('kv1/gone')).toBe('before-delete');
  }, 600_000);

  it('Given a KV v2 path, When the runbook runs, Then it proposes Vault’s own rollback first and, chosen, rolls back with no S3 step', async () => {
    // A fresh KV v2 mount upgrades itself for a moment before it takes writes.
    await until('kv2 writable', async () =>
      (await vaultPut(lb, 'kv2/data/app', { data: { value: 'one' } }, caFile, rootToken)).status ===
      200
        ? true
        : undefined,
    );
    await kvPut('kv2/data/app', 'two');
    const waiting = await runbook({ path: 'kv2/app' }, {}, []);
    expect(waiting.exitCode, waiting.out).toBe(10);
    expect(waiting.out).toMatch(/KV v2 secret\. Vault's own versions apply/);
    const r = await runbook({ path: 'kv2/app' }, { kv2: 'rollback:1' }, []);
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toMatch(/rolled back: version 1's data is now version 3/);
    expect(await kvGet('kv2/data/app')).toBe('one');
    expect(r.out).not.toMatch(/quarantine bucket|desired 0/);
  }, 300_000);
  it('Given kv2/undel written v1 then v2 and its latest deleted, When the runbook lists Vault’s versions and undeletes, then rolls back, Then each reads as chosen and no S3 object version outside Vault’s own writes changed', async () => {
    const m = await httpGet(`${lb}/v1/sys/mounts`, caFile, rootToken);
    const kv2Uuid =
      (JSON.parse(m.body) as { data: Record<string, { uuid: string }> }).data['kv2/']?.uuid ?? '';
    expect(kv2Uuid).not.toBe('');
    await until('kv2 writable', async () =>
      (await vaultPut(lb, 'kv2/data/undel', { data: { value: 'one' } }, caFile, rootToken))
        .status === 200
        ? true
        : undefined,
    );
    await kvPut('kv2/data/undel', 'two');
    expect(await httpsDelete('kv2/data/undel')).toBe(204);
    expect(await kvGet('kv2/data/undel')).toBeUndefined();
    const before = await allVersions();
    const mine = (v: V) => v.key.startsWith(`logical/${kv2Uuid}/`);
    const outside = (vs: V[]) =>
      vs
        .filter((v) => v.key.startsWith('logical/') && !mine(v))
        .map((v) => `${v.key} ${v.versionId}`)
        .sort();

    const waiting = await runbook({ path: 'kv2/undel' }, {}, []);
    expect(waiting.exitCode, waiting.out).toBe(10);
    expect(waiting.out).toMatch(/v2 {2}created \S+ {2}deleted \d{4}-/);
    expect(waiting.out).toMatch(/v1 {2}created \S+ {2}readable/);
    const undel = await runbook({ path: 'kv2/undel' }, { kv2: 'undelete:2' }, []);
    expect(undel.exitCode, undel.out).toBe(0);
    expect(undel.out).toMatch(/kv2\/undel reads again: version 2 is current/);
    expect(await kvGet('kv2/data/undel')).toBe('two');

    expect(await httpsDelete('kv2/data/undel')).toBe(204);
    const back = await runbook({ path: 'kv2/undel' }, { kv2: 'rollback:1' }, []);
    expect(back.exitCode, back.out).toBe(0);
    expect(back.out).toMatch(/rolled back: version 1's data is now version 3 \(was 2\)/);
    expect(await kvGet('kv2/data/undel')).toBe('one');

    // No S3 step ran: no logical/ object outside the KV v2 mount has a new or lost version, and
    // inside it every earlier version is still there (Vault's own writes add versions only).
    for (const r of [waiting, undel, back])
      expect(r.out).not.toMatch(/quarantine bucket|desired 0/);
    const after = await allVersions();
    expect(outside(after)).toEqual(outside(before));
    const kept = new Set(after.map((v) => v.versionId));
    expect(before.filter(mine).filter((v) => !kept.has(v.versionId))).toEqual([]);
  }, 300_000);
  it('Given a corrupt object version from `fault bad-write`, When the runbook restores the last good version in quarantine mode, Then the secret reads its last good value and the corrupt version is no longer the latest', async () => {
    const key = `logical/${kv1Uuid}/app`;
    await kvPut('kv1/app', 'good');
    const fault = await sandbox(['fault', 'bad-write', key], env);
    expect(fault.exitCode, fault.stderr).toBe(0);
    const good = /the good one before it: ([^)\s]+)/.exec(fault.stdout)?.[1] ?? '';
    const bad = (await allVersions()).find((v) => v.key === key && v.latest)?.versionId;
    expect(good).not.toBe('');
    const r = await runbook({ path: 'kv1/app', version: good, mode: 'quarantine' }, {}, shares);
    expect(r.exitCode, r.out).toBe(0);
    expect(await kvGet('kv1/app')).toBe('good');
    expect((await allVersions()).find((v) => v.key === key && v.latest)?.versionId).not.toBe(bad);
  }, 600_000);

  it('Given an in-place run SIGKILLed once the cluster is down, When list and another run start, Then both warn first and the run refuses (exit 4); When resumed, Then it says the cluster is down, restores once, brings Vault back, app reads the chosen value and the warning is gone', async () => {
    const key = `logical/${kv1Uuid}/app`;
    const target = await versionWritten(key, () => kvPut('kv1/app', 'before-kill'));
    await kvPut('kv1/app', 'after');
    const answersFile = join(dir, 'answers-resume.yaml');
    writeFileSync(answersFile, stringify({ stop: 'sandbox' }));
    const runEnv = { ...env, VAULT_TOKEN: rootToken };
    const child = cliWithFd3(
      [
        'run',
        's3-secret-recovery',
        '--headless',
        '--answers',
        answersFile,
        '--secrets-fd',
        '3',
        '--var',
        'path=kv1/app',
        '--var',
        `version=${target}`,
        '--var',
        'mode=in-place',
      ],
      runEnv,
    );
    // fd 3 stays open and empty: killed before it asks, the run must not read an end of input.
    (child.stdio[3] as unknown as NodeJS.WritableStream).on('error', () => undefined);
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (/the cluster is DOWN/.test(out)) child.kill('SIGKILL');
    });
    await child;
    expect(out).toMatch(/the cluster is DOWN/);
    const runId = runIdFrom(out);
    const versionsAtKill = (await allVersions()).filter((v) => v.key === key).length;
    // Nobody resumed yet: every entry point says the cluster was left stopped.
    const warning = new RegExp(
      `^warning: run ${runId} \\(s3-secret-recovery\\) stopped the cluster at \\S+ and has not finished — resume it: vault-runbook resume ${runId}$`,
      'm',
    );
    const listed = await cli(['list'], runEnv);
    expect(listed.stderr.split('\n')[0]).toMatch(warning);
    const other = await cli(['run', 'unseal', '--headless'], runEnv);
    expect(other.exitCode, other.stderr).toBe(4);
    expect(other.stderr.split('\n')[0]).toMatch(warning);
    expect(other.stderr).toContain(`--force-despite ${runId}`);
    // The stop step journaled the group and the size the record step read: what the warning
    // would give as the steps back had the run ended instead of being killed.
    const recorded = readJournal(journalPath(runId, runEnv)).find(
      (r) => r.event.type === 'step-succeeded' && r.event.stepId === 'record',
    )?.event;
    const size = recorded?.type === 'step-succeeded' ? recorded.outputs : {};
    expect(size.desired).toBeGreaterThan(0);
    expect(pastRuns(runEnv).find((r) => r.runId === runId)?.clusterStopped?.bringBack).toEqual({
      asg: profile.aws?.asg,
      desired: size.desired,
      min: size.min,
    });
    const resumed = cliWithFd3(
      ['resume', runId, '--headless', '--answers', answersFile, '--secrets-fd', '3'],
      runEnv,
    );
    feedSecrets(resumed, shares);
    const r = await resumed;
    const text = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(r.exitCode, text).toBe(0);
    expect(text).toMatch(/DOWN/);
    expect(await until('app through the load balancer', () => kvGet('kv1/app'), 60_000)).toBe(
      'before-kill',
    );
    // Exactly one copy on top, whatever step the kill hit.
    expect((await allVersions()).filter((v) => v.key === key).length).toBe(versionsAtKill + 1);
    expect((await cli(['list'], runEnv)).stderr).not.toMatch(/stopped the cluster/);
  }, 600_000);
  it('Given a quarantine run SIGKILLed once its recovery node runs, When resumed, Then it finds the node again, finishes the recovery and leaves no quarantine behind', async () => {
    const key = `logical/${kv1Uuid}/app`;
    const target = await versionWritten(key, () => kvPut('kv1/app', 'quarantine-resumed'));
    await kvPut('kv1/app', 'later');
    const runEnv = { ...env, VAULT_TOKEN: rootToken };
    const child = cliWithFd3(
      [
        'run',
        's3-secret-recovery',
        '--headless',
        '--secrets-fd',
        '3',
        '--var',
        'path=kv1/app',
        '--var',
        `version=${target}`,
        '--var',
        'mode=quarantine',
      ],
      runEnv,
    );
    // fd 3 stays open and empty: killed before it asks, the run must not read an end of input.
    (child.stdio[3] as unknown as NodeJS.WritableStream).on('error', () => undefined);
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (/recovery node q-\S+ on https/.test(out)) child.kill('SIGKILL');
    });
    await child;
    expect(out).toMatch(/recovery node q-\S+ on https/);
    expect(await sandboxRecoveryNodes(env).list(AbortSignal.timeout(10_000))).toHaveLength(1);
    const resumed = cliWithFd3(
      ['resume', runIdFrom(out), '--headless', '--secrets-fd', '3'],
      runEnv,
    );
    feedSecrets(resumed, shares);
    const r = await resumed;
    expect(r.exitCode, `${String(r.stdout)}\n${String(r.stderr)}`).toBe(0);
    expect(await kvGet('kv1/app')).toBe('quarantine-resumed');
    expect(await sandboxRecoveryNodes(env).list(AbortSignal.timeout(10_000))).toEqual([]);
    const buckets = await router().send(new ListBucketsCommand({}));
    expect(
      (buckets.Buckets ?? []).map((b) => b.Name).filter((n) => n?.includes('quarantine')),
    ).toEqual([]);
  }, 600_000);

  it.skipIf(!hasTmux)(
    'Given the TUI in a real terminal, When the operator picks the version from the list and keyholders type their shares, Then the quarantine recovery succeeds and the shares never show',
    async () => {
      const key = `logical/${kv1Uuid}/app`;
      const target = await versionWritten(key, () => kvPut('kv1/app', 'from-the-tui'));
      await kvPut('kv1/app', 'overwritten');
      const name = 's3-tui';
      tmux.start(
        name,
        `${tmuxEnv({ ...env, VAULT_TOKEN: rootToken })} ${process.execPath} ${BIN} run s3-secret-recovery --var path=kv1/app --var mode=quarantine; echo "EXIT=$?"; sleep 120`,
        160,
        45,
      );
      try {
        let screen = await tmux.waitFor(name, 'Which version of', 60_000);
        for (let i = 0; i < 12 && !new RegExp(`› .*${target}`).test(screen); i++) {
          tmux.keys(name, 'Down');
          await new Promise((r) => setTimeout(r, 300));
          screen = tmux.capture(name);
        }
        expect(screen).toMatch(new RegExp(`› .*${target}`));
        tmux.keys(name, 'Enter');
        const seen: string[] = [];
        for (const sh of shares) {
          await tmux.waitFor(name, 'unseal share for the isolated', 120_000, seen);
          tmux.type(name, sh);
          await new Promise((r) => setTimeout(r, 1_000));
        }
        await tmux.waitFor(name, 'Run succeeded', 180_000, seen);
        tmux.keys(name, 'q');
        await tmux.waitFor(name, 'EXIT=0', 20_000, seen);
        for (const sh of shares) expect(seen.join('\n')).not.toContain(sh);
      } finally {
        tmux.kill(name);
      }
      expect(await kvGet('kv1/app')).toBe('from-the-tui');
    },
    600_000,
  );
});

describe('the AWS adapter meets the S3 recovery contract on the sandbox’s MinIO', () => {
  let aws: AwsPort | undefined;
  beforeAll(async () => {
    await kvPut('kv1/contract', 'one');
    await kvPut('kv1/contract', 'two');
    aws = awsForProfile(profile);
  });
  s3RecoveryContract(() => ({
    aws: aws as AwsPort,
    region: profile.aws?.region ?? '',
    source: { bucket: l.regions.primary.bucket, key: `logical/${kv1Uuid}/contract` },
    scratch: 'vault-contract-scratch',
  }));
});
