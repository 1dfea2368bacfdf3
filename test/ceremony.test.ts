import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../src/adapters/vault.js';
import { dearmor } from '../src/domain/pgp.js';
import { Secret } from '../src/domain/secret.js';
import { allFiles, BIN, cli, runIdFrom, tempState } from './support/cli.js';
import { headlessCeremony, writeCeremonyProfile, type CeremonyRun } from './support/ceremony.js';
import { makeGpgKeys, type GpgHome } from './support/pgp.js';
import { ensureTools } from './support/tools.js';
import { startVault, type VaultServer } from './support/vault-server.js';

let server: VaultServer;
let gpg: GpgHome;
let vault: VaultHttp;
const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin'];
const node = (): { name: string; address: string } => ({ name: 'node-1', address: server.address });
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

beforeAll(async () => {
  const tools = await ensureTools();
  if (!tools.VAULT_BIN) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  [server, gpg] = await Promise.all([startVault(tools.VAULT_BIN), makeGpgKeys(NAMES)]);
  vault = new VaultHttp({ nodes: [node()], caCert: server.caCert });
}, 60 * 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('the bootstrap ceremony against a real Vault server', () => {
  it('Given keyholders without PGP keys, When the ceremony runs headless, Then it exits 2 explaining why and Vault stays uninitialized', async () => {
    const { dir, env } = tempState();
    const profile = join(gpg.dir, 'plain-profile.yaml');
    writeCeremonyProfile(profile, [server.address], gpg, { pgp: false, caCert: server.caCert });
    const r = await cli(['run', 'bootstrap-ceremony', '--profile', profile], env, { cwd: dir });
    const out = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(r.exitCode, out).toBe(2);
    expect(out).toMatch(/cannot run headless/);
    expect(out).toMatch(/pipe/);
    expect((await vault.sealStatus(node(), signal())).initialized).toBe(false);
  });

  let run: CeremonyRun;
  let state: { dir: string; env: NodeJS.ProcessEnv };

  it('Given 5 keyholders with PGP keys, When the ceremony runs headless and 3 keyholders decrypt their shares with gpg, Then Vault is initialized 5/3, unsealed and audited', async () => {
    state = tempState();
    const profile = join(gpg.dir, 'profile.yaml');
    writeCeremonyProfile(profile, [server.address], gpg, { caCert: server.caCert });
    run = await headlessCeremony({
      env: state.env,
      cwd: join(state.dir, 'work'),
      profile,
      gpg,
      dir: join(state.dir, 'work', 'ceremony'),
      auditFile: join(state.dir, 'audit.log'),
      operator: 'Alice',
      unsealWith: 3,
      timeoutMs: 30_000,
    });
    const out = `${run.stdout}\n${run.stderr}`;
    expect(run.exitCode, out).toBe(0);
    expect(run.shares).toHaveLength(5);
    for (const k of gpg.keys) expect(out).toContain(k.fingerprint.match(/.{4}/g)!.join(' '));
    expect(await vault.sealStatus(node(), signal())).toMatchObject({
      initialized: true,
      sealed: false,
      t: 3,
      n: 5,
    });
    expect(readFileSync(join(state.dir, 'audit.log'), 'utf8')).toMatch(/"type":"response"/);
  }, 120_000);

  it('Given the operator token from the ceremony, When it writes and reads KV, Then it works; and the initial root token is revoked', async () => {
    expect(run.operatorToken).toMatch(/^hvs\./);
    const op = new Secret(run.operatorToken!);
    await vault.mountEnable(node(), op, 'secret', { type: 'kv', version: '2' }, signal());
    const at = { mount: 'secret', path: 'app', kv: 2 as const };
    // A new KV v2 mount upgrades its storage first and refuses writes for a moment.
    for (let i = 0; i < 100; i++) {
      const ok = await vault.kvWrite(node(), op, at, { value: 'ok' }, signal()).then(
        () => true,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const read = await vault.kvRead(node(), op, at, signal());
    expect(read?.data.value?.reveal()).toBe('ok');
    // The root token never left the ceremony's process; its accessor is in the journal.
    const accessor = /revoking token (\S+) \(policies root\)/.exec(run.stdout)?.[1];
    expect(accessor, run.stdout).toBeTruthy();
    await expect(
      vault.tokenLookupAccessor(node(), op, accessor ?? '', signal()),
    ).rejects.toMatchObject({ status: 400 });
    const self = await vault.tokenLookupSelf(node(), op, signal());
    expect(self.policies).toContain('operators');
    expect(self.orphan).toBe(true);
  });

  it('Given the finished ceremony, When the journal, state dir and output are searched, Then no share or token appears, and the transcript names who holds which share', async () => {
    // The encrypted shares may sit in their .asc files, and nowhere else.
    const encrypted = gpg.keys.map((k) =>
      Buffer.from(dearmor(readFileSync(join(run.dir, `${k.name}.share.asc`)))).toString('base64'),
    );
    const secrets = [...run.shares, run.operatorToken!];
    const everything = [
      { path: 'stdout', text: run.stdout },
      { path: 'stderr', text: run.stderr },
      ...allFiles(state.dir),
    ];
    for (const s of secrets)
      for (const h of everything)
        expect(h.text.includes(s), `${h.path} holds a secret`).toBe(false);
    for (const s of encrypted)
      for (const h of everything.filter((f) => !f.path.endsWith('.asc')))
        expect(h.text.includes(s), `${h.path} holds an encrypted share`).toBe(false);
    // Any Vault token at all: the root token's value never left the ceremony's process.
    for (const h of everything) expect(h.text, h.path).not.toMatch(/hvs\.[A-Za-z0-9_-]{20,}/);
    const id = runIdFrom(run.stdout);
    const show = await cli(['journal', 'show', id], state.env);
    const transcript = String(show.stdout);
    expect(transcript).toMatch(/share 1 → Alice/);
    expect(transcript).toMatch(/share 5 → Erin/);
    const ceremony = transcript.slice(transcript.indexOf('\nCeremony\n'));
    expect(ceremony).toMatch(/node-1 initialized: 5 shares, any 3 unseal, each encrypted/);
    gpg.keys.forEach((k, i) => {
      expect(ceremony).toContain(
        `share ${i + 1}  ${k.name}  ${k.fingerprint.match(/.{4}/g)!.join(' ')}`,
      );
      expect(ceremony).toMatch(
        new RegExp(`Z  share ${i + 1} written for ${k.name}: .*${k.name}\\.share\\.asc`),
      );
    });
    expect(ceremony.match(/unseal entry \d typed/g)).toHaveLength(3);
    expect(ceremony).toMatch(/audit device file\/ → /);
    expect(ceremony).toMatch(
      /operator token for Alice \(policy operators, accessor \S+\) written encrypted/,
    );
    expect(ceremony).toMatch(/initial root token revoked/);
    expect(transcript).toMatch(/hash chain: ok/);
    for (const s of secrets) expect(transcript.includes(s)).toBe(false);
  });

  it('Given a headless PGP ceremony SIGKILLed after the shares were written, When resumed with the keyholders feeding shares for the unseal and the generate-root, Then it ends done: audited, operator token working, both root tokens dead; and a new ceremony refuses naming the state', async () => {
    const tools = await ensureTools();
    const second = await startVault(tools.VAULT_BIN!);
    try {
      const { dir, env } = tempState();
      const profile = join(gpg.dir, 'profile-2.yaml');
      writeCeremonyProfile(profile, [second.address], gpg, { caCert: second.caCert });
      writeFileSync(join(dir, 'answers.yaml'), 'confirm-plan: yes\n');
      const args = [
        ...['--profile', profile, '--answers', join(dir, 'answers.yaml')],
        ...['--var', 'operator=Alice', '--var', `audit_file=${join(dir, 'audit.log')}`],
      ];
      const out = join(dir, 'ceremony');
      const child = execa(
        'node',
        [BIN, 'run', 'bootstrap-ceremony', ...args, '--secrets-fd', '3', '--var', `dir=${out}`],
        {
          env,
          extendEnv: false,
          reject: false,
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        },
      );
      const files = gpg.keys.map((k) => join(out, `${k.name}.share.asc`));
      const until = Date.now() + 30_000;
      while (!files.every((f) => existsSync(f)) && Date.now() < until && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      // The run now waits for the first unseal share on fd 3, which never comes.
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      const first = await child;
      expect(first.signal).toBe('SIGKILL');
      const id = runIdFrom(`${String(first.stdout)}\n${String(first.stderr)}`);
      const shares = await Promise.all(files.slice(0, 3).map((f) => gpg.decryptFile(f)));

      const resumed = execa('node', [BIN, 'resume', id, '--secrets-fd', '3'], {
        env,
        extendEnv: false,
        reject: false,
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
      // Three keyholders unseal, then the same three make the new root token.
      (resumed.stdio[3] as unknown as NodeJS.WritableStream).end(
        `${[...shares, ...shares].join('\n')}\n`,
      );
      const r = await resumed;
      const text = `${String(r.stdout)}\n${String(r.stderr)}`;
      expect(r.exitCode, text).toBe(0);
      for (const s of shares) expect(text.includes(s)).toBe(false);

      const at = { name: 'node-1', address: second.address };
      const v = new VaultHttp({ nodes: [at], caCert: second.caCert });
      expect(await v.sealStatus(at, signal())).toMatchObject({ initialized: true, sealed: false });
      const op = new Secret(await gpg.decryptFile(join(out, 'Alice.token.asc')));
      expect((await v.tokenLookupSelf(at, op, signal())).policies).toContain('operators');
      expect((await v.auditDevices(at, op, signal())).map((d) => d.path)).toEqual(['file/']);
      expect(readFileSync(join(dir, 'audit.log'), 'utf8')).toMatch(/"type":"response"/);
      // The initial root token was never looked up (sealed until the kill): found by its policy.
      const lost = /lost root token (\S+) \(found among the token accessors\) revoked/.exec(
        text,
      )?.[1];
      const made = /root token made \(accessor (\S+),/.exec(text)?.[1];
      expect(lost, text).toBeTruthy();
      expect(made, text).toBeTruthy();
      for (const accessor of [lost!, made!])
        await expect(v.tokenLookupAccessor(at, op, accessor, signal())).rejects.toMatchObject({
          status: 400,
        });

      const show = await cli(['journal', 'show', id], env);
      const ceremony = String(show.stdout).slice(String(show.stdout).indexOf('\nCeremony\n'));
      expect(ceremony).toMatch(/the process was interrupted during step unseal; resumed by/);
      expect(ceremony.match(/generate-root share \d typed/g)).toHaveLength(3);
      expect(ceremony).toMatch(/new root token made by the keyholders \(generate-root nonce/);
      expect(ceremony).toContain(`lost root token ${lost!} revoked (found;`);
      expect(ceremony).toContain(`root token made by the recovery revoked (accessor ${made!})`);

      const again = await cli(['run', 'bootstrap-ceremony', ...args], env, { cwd: dir });
      expect(again.exitCode, String(again.stdout)).toBe(4);
      expect(String(again.stdout)).toContain(
        `already initialized: node-1 unsealed. The bootstrap ceremony ${id} finished on it`,
      );
    } finally {
      await second.stop();
    }
  }, 120_000);
});
