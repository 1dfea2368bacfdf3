import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/domain/load.js';
import type { Profile } from '../../src/domain/schema.js';
import { allEndpoints, layout } from '../../src/sandbox/layout.js';
import { alive, listening } from '../../src/sandbox/procs.js';
import { createElement } from 'react';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { cleanup } from 'ink-testing-library';
import { awsForProfile } from '../../src/app/ports.js';
import { VaultHttp, vaultFromProfile } from '../../src/adapters/vault.js';
import { screenPoller } from '../../src/app/status-screen.js';
import { Secret } from '../../src/domain/secret.js';
import { App } from '../../src/ui/App.js';
import { UiController } from '../../src/ui/controller.js';
import { humanActionIds } from '../../src/app/registry.js';
import { renderTerm, waitForFrame } from '../tui/helpers.js';
import { ensureTools } from '../support/tools.js';
import {
  clusterStatus,
  ec2,
  health,
  instanceState,
  profileFile,
  s3,
  sandbox,
  sandboxEnv,
  statusJson,
  until,
  versionsOf,
  type StatusJson,
} from './helpers.js';

// Its own addresses (127.91.x.y) and XDG dirs: never collides with a sandbox the user runs.
const { env } = sandboxEnv(91);
// 91, unless VAULT_RUNBOOK_TEST_SLOT_OFFSET shifts it.
const slot = env.VAULT_RUNBOOK_SANDBOX_SLOT ?? '';
let versions: string[] = [];
let profile: Profile;
let caFile: string;
let rootToken = '';
let unsealKey = '';
const pids: number[] = [];

const node = (s: StatusJson, name: string) => s.processes.find((p) => p.name === name);

beforeAll(async () => {
  // Skip-free: a missing tool is built here (seconds when cached, long on a new machine).
  const tools = await ensureTools();
  versions = (tools.VAULT_VERSIONS ?? '').split(' ').filter(Boolean);
}, 60 * 60_000);

afterAll(async () => {
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('vault-runbook sandbox against the real servers', () => {
  it('Given cached tools, When up, Then 3 primary nodes answer sys/health 501 with their real version', async () => {
    const t0 = Date.now();
    const r = await sandbox(['up'], env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    // A figure (npm run bench prints it properly), never a pass/fail on time.
    process.stdout.write(`sandbox up: 3 nodes answering after ${Date.now() - t0} ms\n`);
    expect(r.stdout).toContain(`export VAULT_ADDR=https://127.${slot}.1.100:8200 VAULT_CACERT=`);
    expect(r.stdout).toContain('vault-runbook run bootstrap-ceremony');

    const file = profileFile(env);
    const parsed = parseProfile(readFileSync(file, 'utf8'), file);
    expect(parsed.diagnostics).toEqual([]);
    profile = parsed.value as Profile;
    // The nodes run as the user: the ceremony's audit log goes to the sandbox, not /var/log.
    expect(profile.vault.audit_file).toBe(
      `${env.XDG_STATE_HOME}/vault-runbook/sandbox/logs/vault-audit.log`,
    );
    expect(
      readFileSync(`${env.XDG_CONFIG_HOME}/vault-runbook/current-profile`, 'utf8').trim(),
    ).toBe(file);
    expect(profile.vault.addresses).toEqual(
      [1, 2, 3].map((n) => `https://127.${slot}.1.${n}:8200`),
    );
    expect(profile.aws).toMatchObject({ region: 'us-east-1', dr_region: 'us-west-2' });
    expect(profile.image?.builder).toBe('sandbox');
    caFile = profile.vault.tls?.ca_cert ?? '';

    const s = await statusJson(env);
    expect(versions).toContain(s.defaultVersion);
    for (const address of profile.vault.addresses ?? []) {
      const h = await health(address, caFile);
      expect(h).toMatchObject({
        code: 501,
        initialized: false,
        sealed: true,
        version: s.defaultVersion,
      });
    }
    pids.push(...s.processes.map((p) => p.pid));

    // What an operator sees: `vault-runbook status --json` on the profile `up` selected.
    const st = await clusterStatus(env);
    expect(st.nodes).toHaveLength(3);
    for (const n of st.nodes) {
      expect(n).toMatchObject({
        reachable: true,
        initialized: false,
        sealed: true,
        healthCode: 501,
        health: 'not initialized',
        version: s.defaultVersion,
        region: 'us-east-1',
      });
      expect(n.instanceId).toMatch(/^i-/);
      expect(n.ami).toMatch(/^ami-/);
      expect(n.az).toMatch(/^us-east-1[abc]$/);
    }
    expect(new Set(st.nodes.map((n) => n.az)).size).toBe(3);
    expect(st.regions.find((g) => g.name === 'primary')?.asg).toMatchObject({
      desired: 3,
      inService: 3,
    });
    expect(st.regions.find((g) => g.name === 'dr')?.asg).toMatchObject({ desired: 0 });
    expect(st.summary).toMatchObject({ uninitialized: 3, unreachable: 0 });
    expect(s.processes.map((p) => p.role).sort()).toEqual(
      ['minio', 'minio', 'moto', 'supervisor', 'vault', 'vault', 'vault'].sort(),
    );
  });

  it('Given a running sandbox, When up again, Then it is idempotent and quick', async () => {
    const before = await statusJson(env);
    const r = await sandbox(['up'], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('already running');
    expect((await statusJson(env)).processes[0]?.pid).toBe(before.processes[0]?.pid);
  });

  it('Given init and unseal through the adapters, When a KV secret is written through the proxy, Then it reads back from the active node', async () => {
    const vault = vaultFromProfile(profile);
    const nodes = vault.nodes();
    const signal = AbortSignal.timeout(60_000);
    const init = await vault.init(nodes[0]!, { secretShares: 1, secretThreshold: 1 }, signal);
    unsealKey = init.keys[0]!.reveal();
    rootToken = init.rootToken.reveal();
    for (const n of nodes) await vault.unseal(n, init.keys[0]!, signal);
    const active = await until('an active node behind the proxy', async () => {
      const h = await health(profile.vault.api_addr ?? '', caFile);
      return h?.code === 200 ? h : undefined;
    });
    expect(active.sealed).toBe(false);

    // The load-balanced address, as clients use it: the proxy routes to the active node only.
    const lb = new VaultHttp({
      nodes: [{ name: 'lb', address: profile.vault.api_addr ?? '' }],
      caCert: caFile,
    });
    const [api] = lb.nodes();
    const token = init.rootToken;
    await lb.mountEnable(api!, token, 'secret', { type: 'kv', version: '2' }, signal);
    const at = { mount: 'secret', path: 'app/db', kv: 2 as const };
    await until('the kv mount', async () =>
      lb.kvWrite(api!, token, at, { password: 'hunter2' }, signal).then(() => true),
    );
    const read = await lb.kvRead(api!, token, at, signal);
    expect(read?.data.password?.reveal()).toBe('hunter2');
    const st = await clusterStatus(env);
    expect(st.summary).toMatchObject({ unsealed: 3, sealed: 0 });
    expect(st.nodes.filter((n) => n.role === 'active')).toHaveLength(1);
  });

  it('Given the unknown fault kind, When asked, Then exit 2', async () => {
    const r = await sandbox(['fault', 'meteor', 'node-1'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown fault 'meteor'");
    expect((await sandbox(['fault', 'kill'], env)).exitCode).toBe(2);
    expect((await sandbox(['fault', 'kill', 'node-9'], env)).exitCode).toBe(2);
  });

  it('Given node-2, When killed, Then moto terminates its instance and the ASG brings a new sealed node-2', async () => {
    const before = node(await statusJson(env), 'node-2');
    expect(before?.instanceId).toMatch(/^i-/);
    const r = await sandbox(['fault', 'kill', 'node-2'], env);
    expect(r.exitCode).toBe(0);
    expect(alive(before?.pid ?? 0)).toBe(false);
    const after = await until('a new node-2', async () => {
      const n = node(await statusJson(env), 'node-2');
      return n && n.instanceId !== before?.instanceId && n.health?.code === 503 ? n : undefined;
    });
    expect(after.health).toMatchObject({ initialized: true, sealed: true });
    const client = ec2(profile.aws?.endpoints?.ec2 ?? '', 'us-east-1');
    expect(await instanceState(client, before?.instanceId ?? '')).toBe('terminated');
    expect(await instanceState(client, after.instanceId ?? '')).toBe('running');
    pids.push(after.pid);
  });

  it('Given no token, When seal, Then the node is restarted and sealed; with VAULT_TOKEN, Then sys/seal seals it', async () => {
    const addr = profile.vault.addresses?.[2] ?? '';
    const noToken = await sandbox(['fault', 'seal', 'node-3'], { ...env, VAULT_TOKEN: '' });
    expect(noToken.stderr).toBe('');
    expect(noToken.exitCode).toBe(0);
    expect(noToken.stdout).toContain('node-3: restarted');
    expect((await health(addr, caFile))?.code).toBe(503);
    const vault = vaultFromProfile(profile);
    await vault.unseal(vault.nodes()[2]!, new Secret(unsealKey), AbortSignal.timeout(30_000));
    expect((await health(addr, caFile))?.code).not.toBe(503);
    const r = await sandbox(['fault', 'seal', 'node-3'], { ...env, VAULT_TOKEN: rootToken });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect((await health(addr, caFile))?.code).toBe(503);
  });

  it("Given the TUI status pane on the sandbox with the screen's own poller, When fault seal, Then the pane shows the node sealed within one refresh", async () => {
    const vault = vaultFromProfile(profile);
    const n3 = vault.nodes()[2]!;
    const signal = AbortSignal.timeout(30_000);
    await vault.unseal(n3, new Secret(unsealKey), signal);
    const controller = new UiController({
      runbooks: [],
      open: () => Promise.reject(new Error('no runs here')),
      humanActionIds: humanActionIds(),
      onQuit: () => undefined,
    });
    const aws = awsForProfile(profile);
    // The TUI's configuration: AWS reads backing off, lock holders kept while nothing changes.
    const poller = screenPoller(
      profile,
      vault,
      aws,
      (s) => controller.updateCluster(s),
      (s) => controller.updateCluster(s),
    );
    poller.start();
    try {
      const term = renderTerm(createElement(App, { store: controller.store }));
      const unsealedLine = (f: string) => /node-3.*(unsealed|active|standby)/.test(f);
      await waitForFrame(term, unsealedLine, 15_000);
      const asked = Date.now();
      const r = await sandbox(['fault', 'seal', 'node-3'], { ...env, VAULT_TOKEN: rootToken });
      expect(r.exitCode).toBe(0);
      // A standby is sealed by a restart, and the command returns once it answers sealed: the
      // pane may show it before the command returns. Both figures, from the request.
      const returned = Date.now() - asked;
      const frame = await waitForFrame(
        term,
        (f) => /node-3.*sealed/.test(f.replace(/unsealed/g, '')),
        10_000,
      );
      process.stdout.write(
        `status pane showed the sandbox seal ${Date.now() - asked} ms after fault seal was asked (the command took ${returned} ms)\n`,
      );
      expect(frame).toMatch(/node-3 .*sealed/);
      // A standby is sealed by a restart: the first sealed frame may come before its seal
      // status (progress t/n) answers; the next refreshes show it.
      await waitForFrame(term, (f) => /node-3 .*sealed 0\/1/.test(f), 5_000);
    } finally {
      poller.stop();
      cleanup();
    }
  });

  it('Given replication, When a bad write lands, Then it reaches DR, later by the lag setting', async () => {
    const a = profile.aws;
    const primary = s3(a?.endpoints?.s3 ?? '', 'us-east-1');
    const dr = s3(a?.endpoints?.s3 ?? '', 'us-west-2');
    const key = 'sandbox-test/bad';
    const w = await sandbox(['fault', 'bad-write', key], env);
    expect(w.exitCode).toBe(0);
    expect((await versionsOf(primary, a?.data_bucket ?? '', key)).length).toBe(1);
    await until('the first copy in DR', async () =>
      (await versionsOf(dr, a?.dr_data_bucket ?? '', key)).length === 1 ? true : undefined,
    );

    expect((await sandbox(['fault', 'replication-lag', '4'], env)).exitCode).toBe(0);
    const t0 = Date.now();
    expect((await sandbox(['fault', 'bad-write', key], env)).exitCode).toBe(0);
    await until(
      'the second copy in DR',
      async () =>
        (await versionsOf(dr, a?.dr_data_bucket ?? '', key)).length === 2 ? true : undefined,
      20_000,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3_500);
    expect((await sandbox(['fault', 'replication-lag', '0'], env)).exitCode).toBe(0);
  });

  it('Given region-down, Then the primary nodes, proxy and S3 endpoint are unreachable and DR keeps its data', async () => {
    const r = await sandbox(['fault', 'region-down'], env);
    expect(r.exitCode).toBe(0);
    const l = layout(env);
    for (const a of [...(profile.vault.addresses ?? []), profile.vault.api_addr ?? '']) {
      const u = new URL(a);
      expect(await listening(u.hostname, Number(u.port))).toBe(false);
    }
    expect(await listening(l.host, l.regions.primary.minioPort)).toBe(false);
    const dr = s3(profile.aws?.endpoints?.s3 ?? '', 'us-west-2');
    expect(
      (await versionsOf(dr, profile.aws?.dr_data_bucket ?? '', 'sandbox-test/bad')).length,
    ).toBe(2);
    const s = await statusJson(env);
    expect(
      s.processes.filter((p) => p.role === 'vault' && p.address?.includes(`127.${slot}.1.`)),
    ).toEqual([]);
    // Vault's own storage made it across: its keyring and the KV secret's logical entries.
    const drKeys = new Set(
      (
        await dr.send(new ListObjectVersionsCommand({ Bucket: profile.aws?.dr_data_bucket ?? '' }))
      ).Versions?.map((v) => v.Key ?? '') ?? [],
    );
    expect(drKeys.has('core/keyring')).toBe(true);
    expect([...drKeys].some((k) => k.startsWith('logical/'))).toBe(true);
    // The operator's view: every primary node unreachable, shown as such (not a crash).
    const st = await clusterStatus(env);
    expect(st.summary).toMatchObject({ unreachable: 3 });
    expect(st.nodes.every((n) => !n.reachable)).toBe(true);
  });

  it('When down, Then no process it started is left and nothing listens on its addresses', async () => {
    const all = [...pids, ...(await statusJson(env)).processes.map((p) => p.pid)];
    const r = await sandbox(['down'], env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    for (const pid of all) expect(alive(pid)).toBe(false);
    const l = layout(env);
    const open = await Promise.all(allEndpoints(l).map((e) => listening(e.host, e.port, 300)));
    expect(open.filter(Boolean)).toEqual([]);
    expect(existsSync(l.stateFile)).toBe(false);
    expect(existsSync(l.dir)).toBe(true); // data kept without --purge
    expect((await statusJson(env)).running).toBe(false);
  });
});
