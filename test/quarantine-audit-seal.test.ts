import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../src/adapters/vault.js';
import type { Secret } from '../src/domain/secret.js';
import { quarantineCopyBackAction } from '../src/engine/actions/s3-recovery/quarantine.js';
import { sealInAuditLog } from '../src/engine/journal-seal.js';
import type { VaultNode } from '../src/engine/vault.js';
import { ctxFor } from '../src/test-support/s3-recovery-ctx.js';
import { ensureTools } from './support/tools.js';
import { startVault, type VaultServer } from './support/vault-server.js';

/**
 * A quarantine run's end writes the journal's final hash to Vault's audit log through a live
 * node, not the recovery node its copy-back read from (destroyed by then). A real Vault 1.14
 * with a file audit device plays the live cluster; the recovery node is the same storage
 * reached through a TCP forwarder of its own (the quarantine is a copy of the same storage, so
 * the operator's token is valid on it), closed again as the destroy step would remove it.
 */
let server: VaultServer;
let vault: VaultHttp;
let operator: Secret;
let auditLog: string;
const live = (): VaultNode => ({ name: 'node-1', address: server.address });
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

beforeAll(async () => {
  const tools = await ensureTools();
  if (!tools.VAULT_BIN) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  server = await startVault(tools.VAULT_BIN);
  vault = new VaultHttp({ nodes: [live()], caCert: server.caCert });
  const init = await vault.init(live(), { secretShares: 1, secretThreshold: 1 }, signal());
  await vault.unseal(live(), init.keys[0]!, signal());
  const root = init.rootToken;
  auditLog = join(server.dir, 'audit.log');
  await vault.auditEnableFile(live(), root, 'file', auditLog, signal());
  await vault.mountEnable(live(), root, 'secret', { type: 'kv', version: '1' }, signal());
  await vault.kvWrite(live(), root, { mount: 'secret', path: 'app', kv: 1 }, { v: 'x' }, signal());
  await vault.policyWrite(
    live(),
    root,
    'rw',
    'path "secret/*" { capabilities = ["create", "read", "update"] }',
    signal(),
  );
  operator = (await vault.tokenCreate(live(), root, { policies: ['rw'] }, signal())).token;
}, 10 * 60_000);

afterAll(async () => {
  vault?.close();
  await server?.stop();
});

/** The recovery node's address: a forwarder to the Vault, which `close` takes away. */
async function recoveryNode(): Promise<{ address: string; close: () => Promise<void> }> {
  const port = Number(new URL(server.address).port);
  const sockets = new Set<Socket>();
  const fwd: Server = createServer((c) => {
    const up = connect(port, '127.0.0.1');
    sockets.add(c).add(up);
    c.pipe(up).pipe(c);
    const end = () => (c.destroy(), up.destroy());
    c.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => fwd.listen(0, '127.0.0.1', () => r()));
  return {
    address: `https://127.0.0.1:${(fwd.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        fwd.close(() => r());
      }),
  };
}

describe('a quarantine run seals its journal on a live node', () => {
  it('Given a copy-back that read through the recovery node, When the recovery node is gone and the run seals its journal, Then the hash is written through the live node and is in the audit log', async () => {
    const rnode = await recoveryNode();
    const ctx = ctxFor(
      { name: 'q-run', address: rnode.address, mount: 'secret', path: 'app' },
      { vault, token: operator },
    );
    await quarantineCopyBackAction.run(ctx);
    await rnode.close(); // the destroy step

    const hash = 'ab'.repeat(32);
    const seal = await sealInAuditLog(ctx.ports, ctx.runId, hash, signal());
    expect(seal).toMatchObject({ kind: 'written', node: 'node-1' });
    const hits = readFileSync(auditLog, 'utf8')
      .split('\n')
      .filter((l) => l.includes(hash));
    expect(hits.length).toBeGreaterThan(0);
  });
});
