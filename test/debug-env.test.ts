import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFiles, cliWithFd3, tempState } from './support/cli.js';
import { ensureTools } from './support/tools.js';
import { startVault, type VaultServer } from './support/vault-server.js';

let server: VaultServer;
let root = '';

/** One call to the test server, verified against its CA. */
function call(
  method: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.address}/v1/${path}`,
      {
        method,
        ca: readFileSync(server.caCert),
        headers: {
          'content-type': 'application/json',
          ...(token ? { 'X-Vault-Token': token } : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : {} }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function vaultApi(path: string, body: unknown, token?: string): Promise<unknown> {
  const r = await call('POST', path, body, token);
  if (r.status < 200 || r.status > 299) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json;
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
      VAULT_CACERT: server.caCert,
      DEBUG: '*',
    });
    (child.stdio[3] as unknown as NodeJS.WritableStream).end(`${token}\n`);
    const r = await child;
    const out = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(r.exitCode, out).toBe(0);
    // The call was made: the token no longer works.
    const lookup = await call('GET', 'auth/token/lookup-self', undefined, token);
    expect(lookup.status).toBe(403);
    expect(out).not.toContain(token);
    expect(out).not.toContain(token.slice(4));
    expect(out).not.toMatch(/follow-redirects|node-vault/);
    for (const f of allFiles(dir)) expect(f.text, f.path).not.toContain(token);
  });
});
