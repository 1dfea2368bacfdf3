import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { VaultHttp } from '../src/adapters/vault.js';
import type { Secret } from '../src/domain/secret.js';
import type { VaultNode } from '../src/engine/vault.js';
import { cli, tempState } from './support/cli.js';
import { ensureTools } from './support/tools.js';
import { startVault, type VaultServer } from './support/vault-server.js';

/**
 * The end of a run ties its journal to Vault's audit log: a real Vault 1.14 with a file audit
 * device, a headless run whose step used the operator's token, and the final hash it printed
 * found (in clear, in the request path) in the audit log — the way an auditor would look.
 */

let server: VaultServer;
let vault: VaultHttp;
let root: Secret;
let operator: Secret;
let auditLog: string;
const node = (): VaultNode => ({ name: 'node-1', address: server.address });
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

beforeAll(async () => {
  const tools = await ensureTools();
  if (!tools.VAULT_BIN) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  server = await startVault(tools.VAULT_BIN);
  vault = new VaultHttp({ nodes: [node()], caCert: server.caCert });
  const init = await vault.init(node(), { secretShares: 1, secretThreshold: 1 }, signal());
  const key = init.keys[0];
  if (!key) throw new Error('no unseal key');
  await vault.unseal(node(), key, signal());
  root = init.rootToken;
  auditLog = join(server.dir, 'audit.log');
  await vault.auditEnableFile(node(), root, 'file', auditLog, signal());
  await vault.mountEnable(node(), root, 'secret', { type: 'kv', version: '1' }, signal());
  await vault.kvWrite(
    node(),
    root,
    { mount: 'secret', path: 'canary', kv: 1 },
    { v: 'x' },
    signal(),
  );
  await vault.policyWrite(
    node(),
    root,
    'canary',
    'path "secret/*" { capabilities = ["read"] }',
    signal(),
  );
  // An operator's token: the canary policy plus Vault's default policy (its own cubbyhole).
  operator = (await vault.tokenCreate(node(), root, { policies: ['canary'] }, signal())).token;
}, 10 * 60_000);

afterAll(async () => {
  await server?.stop();
});

function writeFiles(
  dir: string,
  step: Record<string, unknown>,
): { runbook: string; profile: string } {
  const runbook = join(dir, 'seal.yaml');
  writeFileSync(runbook, stringify({ id: 'seal-test', title: 'Seal test', steps: [step] }));
  const profile = join(dir, 'profile.yaml');
  writeFileSync(
    profile,
    stringify({
      name: 'seal-test',
      vault: {
        addresses: [server.address],
        api_addr: server.address,
        tls: { ca_cert: server.caCert },
      },
      aws: { region: 'us-east-1' },
    }),
  );
  return { runbook, profile };
}

function finalHash(stdout: string): string {
  const m = /journal final hash: ([0-9a-f]{64})/.exec(stdout);
  if (!m?.[1]) throw new Error(`no final hash in:\n${stdout}`);
  return m[1];
}

interface AuditEntry {
  type: string;
  request?: { path?: string; operation?: string };
  auth?: { display_name?: string; policies?: string[] };
}

function auditEntries(): AuditEntry[] {
  return readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry);
}

describe('the final journal hash in Vault’s audit log', () => {
  it('Given a run whose step used the operator token, When it ends, Then the final hash it prints is in the audit log in clear, in a request made with that token', async () => {
    const { dir, env } = tempState();
    const { runbook, profile } = writeFiles(dir, {
      id: 'canary',
      title: 'Read the canary',
      uses: 'vault.canary-read',
      with: { via: 'primary', path: 'secret/canary', kv: 1 },
    });
    env.VAULT_TOKEN = operator.reveal();
    const r = await cli(['run', runbook, '--profile', profile, '--headless'], env);
    expect(r.exitCode, r.all ?? `${String(r.stdout)}\n${String(r.stderr)}`).toBe(0);
    const stdout = String(r.stdout);
    const hash = finalHash(stdout);
    expect(stdout).toContain("written to Vault's audit log on primary-lb");
    // What an auditor does: grep the audit log for the hash from the run's output or journal.
    const hits = auditEntries().filter((e) => e.request?.path?.includes(hash));
    expect(hits.length).toBeGreaterThan(0);
    const request = hits.find((e) => e.type === 'request');
    expect(request?.request?.path).toMatch(
      new RegExp(`^cubbyhole/vault-runbook/journal/seal-test-[0-9T]+-[0-9a-f]{6}/${hash}$`),
    );
    expect(request?.auth?.policies).toContain('canary');
    // The hash printed is the journal's: verify names the same final hash.
    const runId = /run (seal-test-\d{8}T\d{6}-[0-9a-f]{6})/.exec(stdout)?.[1] ?? '';
    const v = await cli(['journal', 'verify', runId], env);
    expect(String(v.stdout)).toContain(hash);
  });

  it('Given a run that never needed a token, When it ends, Then it asks for none and says the hash was not written', async () => {
    const { dir, env } = tempState();
    const { runbook, profile } = writeFiles(dir, {
      id: 'health',
      title: 'Health',
      uses: 'vault.health',
    });
    // A token in the environment that no step used is not sent anywhere.
    env.VAULT_TOKEN = operator.reveal();
    const before = auditEntries().length;
    const r = await cli(['run', runbook, '--profile', profile, '--headless'], env);
    expect(r.exitCode, `${String(r.stdout)}\n${String(r.stderr)}`).toBe(0);
    const hash = finalHash(String(r.stdout));
    expect(String(r.stdout)).toContain(
      "not written to Vault's audit log: no operator token in this run",
    );
    expect(
      auditEntries()
        .slice(before)
        .some((e) => e.request?.path?.includes(hash)),
    ).toBe(false);
  });
});
