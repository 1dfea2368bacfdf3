import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp, vaultFromProfile } from '../../src/adapters/vault.js';
import { Secret } from '../../src/domain/secret.js';
import type { Profile } from '../../src/domain/schema.js';
import { allFiles, cliWithFd3, feedSecrets } from '../support/cli.js';
import { headlessCeremony, type CeremonyRun } from '../support/ceremony.js';
import type { GpgHome } from '../support/pgp.js';
import { runRekeyPgp } from '../support/rekey.js';
import { health, sandbox, sandboxEnv, statusJson, until } from './helpers.js';
import { ceremonySandbox } from './setup.js';

/**
 * Issue 4's chain on the real sandbox (3 Vault nodes on S3/MinIO with a DynamoDB HA lock):
 * headless PGP ceremony → 3 keyholders decrypt their shares → every node replaced by the ASG
 * (sealed) → headless unseal with exactly 3 entries → KV through the load balancer with the
 * operator credential → the root token is gone → rekey → old shares refused, new shares unseal.
 * Its own addresses (slot 92) and XDG dirs.
 */
const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin'];
const { dir, env } = sandboxEnv(92);
let gpg: GpgHome;
let profile: Profile;
let profilePath = '';
let ca = '';
let run: CeremonyRun;
let newShares: string[] = [];
const outputs: { path: string; text: string }[] = [];

async function unsealRun(shares: readonly string[]) {
  const child = cliWithFd3(
    ['run', 'unseal', '--profile', profilePath, '--headless', '--secrets-fd', '3'],
    env,
  );
  feedSecrets(child, shares);
  const r = await child;
  const out = `${String(r.stdout)}\n${String(r.stderr)}`;
  outputs.push({ path: `unseal run output`, text: out });
  return { exitCode: r.exitCode, out };
}

function lastJournal(prefix: string): { event: { type: string; stepId?: string } }[] {
  const runs = join(env.XDG_STATE_HOME ?? '', 'vault-runbook', 'runs');
  const file = readdirSync(runs)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
    .sort()
    .pop();
  return readFileSync(join(runs, file ?? ''), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: { type: string; stepId?: string } });
}

/** Kills every primary node; the ASG brings new, sealed instances at the same addresses. */
async function replaceAll(): Promise<void> {
  const before = (await statusJson(env)).processes.filter((p) => p.role === 'vault');
  for (const p of before) expect((await sandbox(['fault', 'kill', p.name], env)).exitCode).toBe(0);
  await until(
    'three new sealed nodes',
    async () => {
      const now = (await statusJson(env)).processes.filter((p) => p.role === 'vault');
      const fresh = now.filter((p) => !before.some((b) => b.instanceId === p.instanceId));
      return fresh.length === 3 && fresh.every((p) => p.health?.code === 503) ? true : undefined;
    },
    90_000,
  );
}

beforeAll(async () => {
  // The sandbox's profile, with the five keyholders and their PGP public keys.
  ({ gpg, profile, profilePath, ca } = await ceremonySandbox(
    env,
    dir,
    NAMES,
    'ceremony-profile.yaml',
  ));
}, 60 * 60_000);

afterAll(async () => {
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('ceremony → unseal → operator → rekey on the real sandbox', () => {
  it('Given 3 uninitialized nodes and 5 PGP keyholders, When the ceremony runs headless, Then Vault is initialized 5/3 and every node is unsealed', async () => {
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
      timeoutMs: 90_000,
    });
    outputs.push({ path: 'ceremony stdout', text: run.stdout });
    outputs.push({ path: 'ceremony stderr', text: run.stderr });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.shares).toHaveLength(5);
    const vault = vaultFromProfile(profile);
    for (const n of vault.nodes())
      expect(await vault.sealStatus(n, AbortSignal.timeout(5_000))).toMatchObject({
        initialized: true,
        sealed: false,
        t: 3,
        n: 5,
      });
  }, 180_000);

  it('Given every node replaced by the ASG (sealed), When 3 keyholders unseal headless, Then exactly 3 entries unseal all 3', async () => {
    await replaceAll();
    const r = await unsealRun(run.shares.slice(0, 3));
    expect(r.exitCode, r.out).toBe(0);
    const journal = lastJournal('unseal');
    expect(
      journal.filter((x) => x.event.type === 'human-answered' && x.event.stepId === 'shares'),
    ).toHaveLength(3);
    for (const a of profile.vault.addresses ?? [])
      expect((await health(a, ca))?.sealed).toBe(false);
  }, 180_000);

  it('Given the operator credential, When it writes a KV secret through the load balancer, Then it reads back; the initial root token is revoked', async () => {
    const op = new Secret(run.operatorToken ?? '');
    const lb = new VaultHttp({
      nodes: [{ name: 'lb', address: profile.vault.api_addr ?? '' }],
      caCert: ca,
    });
    const [api] = lb.nodes();
    const signal = AbortSignal.timeout(60_000);
    // A SIGKILLed active holds the DynamoDB lock until it expires: wait for a new active.
    await until(
      'an active node',
      async () =>
        (await health(profile.vault.api_addr ?? '', ca))?.code === 200 ? true : undefined,
      60_000,
    );
    await lb.mountEnable(api!, op, 'secret', { type: 'kv', version: '2' }, signal);
    const at = { mount: 'secret', path: 'app', kv: 2 as const };
    await until('the kv write', () =>
      lb.kvWrite(api!, op, at, { v: 'ok' }, signal).then(() => true),
    );
    const read = await lb.kvRead(api!, op, at, signal);
    expect(read?.data.v?.reveal()).toBe('ok');
    const accessor = /revoking token (\S+) \(policies root\)/.exec(run.stdout)?.[1];
    expect(accessor, run.stdout).toBeTruthy();
    await expect(lb.tokenLookupAccessor(api!, op, accessor ?? '', signal)).rejects.toMatchObject({
      status: 400,
    });
  }, 120_000);

  it('Given a rekey to new PGP shares, When a node is replaced, Then the old shares are refused and the new ones unseal it', async () => {
    const work = join(dir, 'rekey');
    mkdirSync(work, { recursive: true });
    const r = await runRekeyPgp({
      env,
      dir: work,
      profile: profilePath,
      keyholders: NAMES,
      gpg,
      oldShares: run.shares.slice(0, 3),
      threshold: 3,
      outDir: join(work, 'shares'),
    });
    outputs.push({ path: 'rekey output', text: r.out });
    expect(r.exitCode, r.out).toBe(0);
    newShares = r.newShares;
    expect(newShares).toHaveLength(5);
    for (const s of newShares) expect(run.shares).not.toContain(s);

    await replaceAll();
    const old = await unsealRun(run.shares.slice(0, 3));
    expect(old.exitCode, old.out).not.toBe(0);
    expect(old.out).toMatch(/did not combine|wrong|refused|failed/i);
    for (const a of profile.vault.addresses ?? []) expect((await health(a, ca))?.sealed).toBe(true);

    const fresh = await unsealRun(newShares.slice(2, 5));
    expect(fresh.exitCode, fresh.out).toBe(0);
    for (const a of profile.vault.addresses ?? [])
      expect((await health(a, ca))?.sealed).toBe(false);
  }, 300_000);

  it('After all of it, no share (old or new) and no token is in the journal, the state directory, the sandbox logs or any output', () => {
    const secrets = [...run.shares, ...newShares, run.operatorToken ?? ''].filter(Boolean);
    expect(secrets.length).toBeGreaterThanOrEqual(11);
    // The temp dir holds the state dir (journals; the sandbox's Vault, MinIO, moto and
    // supervisor logs and Vault's storage), the config dir, the audit log and the .asc files.
    const everything = [...outputs, ...allFiles(dir)];
    for (const s of secrets)
      for (const f of everything)
        expect(f.text.includes(s), `${f.path} holds a secret`).toBe(false);
    for (const f of everything) expect(f.text, f.path).not.toMatch(/hvs\.[A-Za-z0-9]{20,}/);
  });
});
