import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFiles, cliWithFd3, tempState } from './support/cli.js';
import { ensureTools } from './support/tools.js';
import { startVault, type VaultServer } from './support/vault-server.js';

let server: VaultServer;
let root = '';

async function vaultApi(path: string, body: unknown, token?: string): Promise<unknown> {
  const r = await fetch(`${server.address}/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'X-Vault-Token': token } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

beforeAll(async () => {
  const tools = await ensureTools();
  const bin = tools.VAULT_BIN;
  if (!bin) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  server = await startVault(bin);
  const init = (await vaultApi('sys/init', { secret_shares: 1, secret_threshold: 1 })) as {
    keys: string[];
    root_token: string;
  };
  await vaultApi('sys/unseal', { key: init.keys[0] });
  root = init.root_token;
}, 60 * 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('DEBUG=* with a real Vault', () => {
  it('Given DEBUG=* and a step that sends a token to Vault, When the run makes the call, Then the token appears in no output and no file', async () => {
    const created = (await vaultApi('auth/token/create', { ttl: '10m' }, root)) as {
      auth: { client_token: string };
    };
    const token = created.auth.client_token;
    const { dir, env } = tempState();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      [
        'id: revoke',
        'title: Revoke a token',
        'steps:',
        '  - { id: token, uses: human.secret, with: { message: token, label: token } }',
        '  - id: revoke',
        '    uses: vault.revoke-self',
        '    with: { token: "${{ steps.token.outputs.value }}" }',
        '',
      ].join('\n'),
    );
    const child = cliWithFd3(['run', rb, '--secrets-fd', '3'], {
      ...env,
      VAULT_ADDR: server.address,
      DEBUG: '*',
      NODE_DEBUG: 'http',
    });
    (child.stdio[3] as unknown as NodeJS.WritableStream).end(`${token}\n`);
    const r = await child;
    const out = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(r.exitCode, out).toBe(0);
    // The call was made: the token no longer works.
    const lookup = await fetch(`${server.address}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': token },
      signal: AbortSignal.timeout(10_000),
    });
    expect(lookup.status).toBe(403);
    expect(out).not.toContain(token);
    expect(out).not.toContain(token.slice(4));
    expect(out).not.toMatch(/follow-redirects|node-vault/);
    for (const f of allFiles(dir)) expect(f.text, f.path).not.toContain(token);
  });
});
