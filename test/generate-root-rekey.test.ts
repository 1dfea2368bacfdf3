import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../src/adapters/vault.js';
import { Secret } from '../src/domain/secret.js';
import { VaultApiError, type InitResult, type VaultNode } from '../src/engine/vault.js';
import { allFiles, tempState } from './support/cli.js';
import { makeGpgKeys } from './support/pgp.js';
import {
  runCheckShares,
  runGenerateRoot,
  runRekeyPgp,
  writeProfile,
  type HeadlessResult,
} from './support/rekey.js';
import { ensureTools } from './support/tools.js';
import { startVault, type VaultServer } from './support/vault-server.js';

let server: VaultServer;
let vault: VaultHttp;
let init: InitResult;
const node = (): VaultNode => ({ name: 'node-1', address: server.address });
const signal = (): AbortSignal => AbortSignal.timeout(10_000);
const TOKEN = /hvs\.[A-Za-z0-9_-]{20,}/;

async function unsealWith(keys: readonly string[]): Promise<boolean> {
  let sealed = true;
  for (const k of keys) sealed = (await vault.unseal(node(), new Secret(k), signal())).sealed;
  return !sealed;
}

/** Every share and token the test knows, plus any Vault service token, absent everywhere. */
function expectNoLeak(r: HeadlessResult, dir: string, secrets: readonly string[]): void {
  const places = [{ path: 'stdout+stderr', text: r.out }, ...allFiles(dir)];
  for (const p of places) {
    expect(TOKEN.test(p.text), `a token in ${p.path}`).toBe(false);
    for (const s of secrets) expect(p.text.includes(s), `a secret in ${p.path}`).toBe(false);
  }
}

function known(): string[] {
  return [
    ...init.keys.map((k) => k.reveal()),
    ...init.keysBase64.map((k) => k.reveal()),
    init.rootToken.reveal(),
  ];
}

function accessorOf(out: string): string {
  const m = /root token made \(accessor ([A-Za-z0-9]+)/.exec(out);
  if (!m?.[1]) throw new Error(`no accessor in output:\n${out}`);
  return m[1];
}

async function attempt(): Promise<{ started: boolean; nonce: string }> {
  return vault.generateRootStatus(node(), signal());
}

beforeAll(async () => {
  const tools = await ensureTools();
  const bin = tools.VAULT_BIN;
  if (!bin) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  server = await startVault(bin);
  vault = new VaultHttp({ nodes: [node()], caCert: server.caCert });
  init = await vault.init(node(), { secretShares: 5, secretThreshold: 3 }, signal());
  expect(await unsealWith(init.keys.slice(0, 3).map((k) => k.reveal()))).toBe(true);
}, 60 * 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('generate-root and rekey runbooks against a real Vault 1.14', () => {
  it('Given 3 shares on fd 3, When generate-root runs headless, Then the new root token works in the window and is revoked at the end, and nothing leaks', async () => {
    const { dir, env } = tempState();
    const profile = writeProfile(dir, { addresses: [server.address], caCert: server.caCert });
    // The scripted work reaches the server over TLS too: node's fetch trusts the test CA.
    env.NODE_EXTRA_CA_CERTS = server.caCert;
    // The scripted break-glass work: mount a KV engine with the new token (from the environment).
    const command = `node -e "fetch(process.env.VAULT_ADDR+'/v1/sys/mounts/breakglass',{method:'POST',headers:{'X-Vault-Token':process.env.VAULT_TOKEN},body:JSON.stringify({type:'kv'})}).then(r=>process.exit(r.ok?0:1))"`;
    const r = await runGenerateRoot({
      env,
      dir,
      profile,
      shares: init.keys.slice(0, 4).map((k) => k.reveal()),
      command,
    });
    expect(r.exitCode, r.out).toBe(0);
    const mounts = await vault.mounts(node(), init.rootToken, signal());
    expect(mounts.map((m) => m.path)).toContain('breakglass/');
    // Revoked: its accessor is unknown to Vault now.
    await expect(
      vault.tokenLookupAccessor(node(), init.rootToken, accessorOf(r.out), signal()),
    ).rejects.toBeInstanceOf(VaultApiError);
    expect((await attempt()).started).toBe(false);
    expect(r.out).toMatch(/nonce [0-9a-f-]{36}/);
    expectNoLeak(r, dir, known());
  });

  it('Given a break-glass command using the vault CLI, When generate-root runs headless, Then the CLI verifies TLS with the profile CA (VAULT_CACERT) and never skips verification', async () => {
    const { dir, env } = tempState();
    const profile = writeProfile(dir, { addresses: [server.address], caCert: server.caCert });
    const tools = await ensureTools();
    env.TEST_VAULT_BIN = tools.VAULT_BIN;
    // Without VAULT_CACERT the CLI fails with "x509: certificate signed by unknown authority".
    const command =
      'test -z "${VAULT_SKIP_VERIFY-}" && echo "cacert=$VAULT_CACERT" && "$TEST_VAULT_BIN" read -field=policies auth/token/lookup-self';
    const r = await runGenerateRoot({
      env,
      dir,
      profile,
      shares: init.keys.slice(0, 3).map((k) => k.reveal()),
      command,
    });
    expect(r.exitCode, r.out).toBe(0);
    expect(r.out).toContain(`cacert=${server.caCert}`);
    expect(r.out).toMatch(/\[root\]/);
    expect(r.out).not.toMatch(/x509|certificate/);
    expectNoLeak(r, dir, known());
  });

  it('Given token_handoff=screen, When generate-root runs headless, Then it refuses before any attempt starts (exit 2)', async () => {
    const { dir, env } = tempState();
    const profile = writeProfile(dir, { addresses: [server.address], caCert: server.caCert });
    const r = await runGenerateRoot({
      env,
      dir,
      profile,
      shares: init.keys.slice(0, 3).map((k) => k.reveal()),
      vars: ['token_handoff=screen'],
    });
    expect(r.exitCode, r.out).toBe(2);
    expect(r.out).toMatch(/never shows a token/);
    expect((await attempt()).started).toBe(false);
  });

  it('Given an attempt somebody else started, When generate-root runs, Then it stops showing that nonce, and a cancel answer replaces it', async () => {
    const { dir, env } = tempState();
    const profile = writeProfile(dir, { addresses: [server.address], caCert: server.caCert });
    const started = await vault.generateRootStart(node(), { kind: 'otp' }, signal());
    const { nonce } = await attempt();
    expect(nonce).toBe(started.status.nonce);
    await vault.generateRootUpdate(node(), init.keys[0]!, nonce, started.otp, signal());
    const shares = init.keys.slice(0, 3).map((k) => k.reveal());
    const waiting = await runGenerateRoot({ env, dir, profile, shares });
    expect(waiting.exitCode, waiting.out).toBe(10);
    expect(waiting.out).toContain(nonce);
    expect(waiting.out).toMatch(/1\/3/);
    expect((await attempt()).nonce).toBe(nonce);

    const stopped = await runGenerateRoot({
      env,
      dir,
      profile,
      shares,
      answers: { generate: 'abort' },
    });
    expect(stopped.exitCode, stopped.out).toBe(1);
    expect(stopped.out).toContain(nonce);
    expect((await attempt()).nonce).toBe(nonce);

    const replaced = await runGenerateRoot({
      env,
      dir,
      profile,
      shares,
      answers: { generate: 'cancel' },
    });
    expect(replaced.exitCode, replaced.out).toBe(0);
    expect(replaced.out).toContain(`generate-root attempt ${nonce} cancelled`);
    expect((await attempt()).started).toBe(false);
    for (const r of [waiting, stopped, replaced]) expectNoLeak(r, dir, known());
  });

  it('Given a stale rekey and PGP keyholders who never enter their new shares, When rekey runs headless, Then the stale nonce is shown, and after cancelling it the run stops with its own rekey cancelled and the old shares in force', async () => {
    const { dir, env } = tempState();
    const names = ['alice', 'bob', 'carol'];
    const gpg = await makeGpgKeys(names);
    const profile = writeProfile(dir, {
      addresses: [server.address],
      caCert: server.caCert,
      keyholders: gpg.keys.map((k) => ({ name: k.name, pgpKeyFile: k.armoredFile })),
    });
    const outDir = join(dir, 'shares');
    mkdirSync(outDir);
    // Someone else's rekey, 1 share in: shown with its nonce, and nothing happens without an answer.
    const theirs = await vault.rekeyStart(node(), { shares: 3, threshold: 2 }, signal());
    await vault.rekeyUpdate(node(), init.keys[4]!, theirs.nonce, signal());
    const asked = await runRekeyPgp({
      env,
      dir,
      profile,
      keyholders: names,
      gpg,
      enterNew: false,
      oldShares: [],
      threshold: 2,
      outDir,
    });
    expect(asked.exitCode, asked.out).toBe(10);
    expect(asked.out).toContain(`nonce ${theirs.nonce}, 1/3`);
    const r = await runRekeyPgp({
      env,
      dir,
      profile,
      keyholders: names,
      gpg,
      enterNew: false,
      answers: { rekey: 'cancel' },
      oldShares: init.keys.slice(0, 3).map((k) => k.reveal()),
      threshold: 2,
      outDir,
    });
    expect(r.exitCode, r.out).toBe(10);
    expect(r.out).toContain(`rekey attempt ${theirs.nonce} cancelled`);
    expect(r.out).toMatch(/the rekey was cancelled .*OLD shares stay in force/);
    const rk = await vault.rekeyStatus(node(), signal());
    expect(rk.started).toBe(false);
    expect(readdirSync(outDir)).toHaveLength(3);
    expectNoLeak(r, dir, known());
    // The old shares still work: the next test rekeys with them.
  });

  it('Given PGP keyholders, When rekey runs headless to 5 new shares, Then the old shares are refused and the new ones unseal after a seal, and no share leaks', async () => {
    const { dir, env } = tempState();
    const names = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const gpg = await makeGpgKeys(names);
    const profile = writeProfile(dir, {
      addresses: [server.address],
      caCert: server.caCert,
      keyholders: gpg.keys.map((k) => ({ name: k.name, pgpKeyFile: k.armoredFile })),
    });
    const outDir = join(dir, 'shares');
    mkdirSync(outDir);
    const old = init.keys.slice(1, 4).map((k) => k.reveal());
    const r = await runRekeyPgp({
      env,
      dir,
      profile,
      keyholders: names,
      gpg,
      oldShares: old,
      threshold: 3,
      outDir,
    });
    expect(r.exitCode, r.out).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual(names.map((n) => `${n}.share.asc`).sort());
    expect(r.newShares).toHaveLength(5);
    expect(new Set(r.newShares).size).toBe(5);
    expect(r.out).toMatch(/old shares are dead/);
    expect((await attempt()).started).toBe(false);
    expectNoLeak(r, dir, [...known(), ...r.newShares]);

    // The proof that counts: seal, then the old shares no longer unseal and the new ones do.
    await vault.seal(node(), init.rootToken, signal());
    await expect(unsealWith(init.keys.slice(0, 3).map((k) => k.reveal()))).rejects.toThrow();
    await vault.unsealReset(node(), signal());
    expect(await unsealWith(r.newShares.slice(2, 5))).toBe(true);

    // The keyholder drill agrees: new shares combine, the old ones are refused.
    const drill = await runCheckShares({ env, profile, shares: r.newShares.slice(0, 3) });
    expect(drill.exitCode, drill.out).toBe(0);
    const stale = await runCheckShares({ env, profile, shares: old });
    expect(stale.exitCode, stale.out).toBe(10);
    expect(stale.out).toMatch(/did not combine/);
    expect((await attempt()).started).toBe(false);
    expectNoLeak(drill, dir, [...known(), ...r.newShares]);
  });
});
