import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../src/adapters/vault.js';
import { Secret } from '../src/domain/secret.js';
import type { InitResult } from '../src/engine/vault.js';
import { allFiles, cliWithFd3, tempState } from './support/cli.js';
import { ensureTools } from './support/tools.js';
import { startVault, type VaultServer } from './support/vault-server.js';

let server: VaultServer;
let vault: VaultHttp;
let init: InitResult;
let version: string;
const node = (): { name: string; address: string } => ({ name: 'node-1', address: server.address });
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

beforeAll(async () => {
  const tools = await ensureTools();
  const bin = tools.VAULT_BIN;
  if (!bin) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  version = tools.VAULT_VERSIONS?.split(' ')[0] ?? '';
  server = await startVault(bin);
  vault = new VaultHttp({ nodes: [node()], caCert: server.caCert });
}, 60 * 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('the Vault adapter against a real Vault server', () => {
  it('Given a new server, When health is read, Then it is 501 uninitialized with the real version', async () => {
    const h = await vault.health(node(), signal());
    expect(h).toMatchObject({
      reachable: true,
      code: 501,
      body: { initialized: false, sealed: true, version },
    });
  });

  it('Given init 5/3, When initialized, Then shares and root token come back as Secrets and the node is sealed 0/3', async () => {
    init = await vault.init(node(), { secretShares: 5, secretThreshold: 3 }, signal());
    expect(init.keys).toHaveLength(5);
    expect(JSON.stringify(init)).not.toMatch(/[0-9a-f]{40}/);
    expect(await vault.sealStatus(node(), signal())).toMatchObject({
      initialized: true,
      sealed: true,
      t: 3,
      n: 5,
      progress: 0,
    });
  });

  it('Given a malformed share, When submitted, Then Vault refuses it with a message the unseal action classifies as malformed', async () => {
    const err = await vault.unseal(node(), new Secret('zz-not-a-share'), signal()).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/hex or base64|invalid key|malformed|illegal base64|encoding/i);
  });

  it('Given a sealed node, When the unseal runbook runs headless with 3 shares on fd 3, Then it is unsealed with exactly 3 entries and no share or token leaks', async () => {
    const { dir, env } = tempState();
    env.VAULT_ADDR = server.address;
    env.VAULT_CACERT = server.caCert;
    const child = cliWithFd3(['run', 'unseal', '--secrets-fd', '3'], env);
    const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
    // One spare share: the runbook must stop asking after the threshold.
    fd3.end(
      `${init.keys
        .slice(0, 4)
        .map((k) => k.reveal())
        .join('\n')}\n`,
    );
    const r = await child;
    const out = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(r.exitCode, out).toBe(0);
    expect(out).toMatch(/entries":3|node-1: unsealed/);
    const h = await vault.health(node(), signal());
    expect(h).toMatchObject({ reachable: true, code: 200 });
    const secrets = [
      ...init.keys.map((k) => k.reveal()),
      ...init.keysBase64.map((k) => k.reveal()),
      init.rootToken.reveal(),
    ];
    for (const s of secrets) {
      expect(out.includes(s)).toBe(false);
      for (const f of allFiles(dir)) expect(f.text.includes(s), f.path).toBe(false);
    }
    // The journal records the three entries (redacted) and who made them.
    const journal = allFiles(join(dir, 'state'))
      .map((f) => f.text)
      .join('\n');
    expect(journal.match(/"human-answered"/g)).toHaveLength(3);
  });
  // KV, tokens, mounts, audit, generate-root and rekey: the contract suite (test/vault-contract.test.ts).
});
