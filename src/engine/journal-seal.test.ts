import { describe, expect, it } from 'vitest';
import { Secret } from '../domain/secret.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { describeAuditSeal, sealInAuditLog } from './journal-seal.js';
import { MemoryCredentials } from './operator-token.js';

const SHARES = ['a1', 'b2', 'c3'].map((s) => s.repeat(16));
const HASH = 'ab'.repeat(32);
const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('sealInAuditLog', () => {
  it('Given a token in the environment that no step used, When the run ends, Then nothing is sent and the line says there was no operator token', async () => {
    const vault = FakeVault.unsealedWith(SHARES, 2);
    const credentials = new MemoryCredentials({ token: vault.rootToken(), source: 'VAULT_TOKEN' });
    const seal = await sealInAuditLog({ vault, credentials }, 'run-1', HASH, signal());
    expect(seal).toEqual({ kind: 'no-token' });
    expect(vault.journalSeals).toEqual([]);
    expect(describeAuditSeal(seal)).toBe(
      "not written to Vault's audit log: no operator token in this run",
    );
  });

  it('Given the token a step used, When the run ends, Then the hash goes into a request path on that node', async () => {
    const vault = FakeVault.unsealedWith(SHARES, 2);
    const credentials = new MemoryCredentials();
    const node = vault.nodes()[0]!;
    credentials.confirm(vault.rootToken(), node);
    const seal = await sealInAuditLog({ vault, credentials }, 'run-1', HASH, signal());
    expect(seal).toEqual({
      kind: 'written',
      node: node.name,
      path: `cubbyhole/vault-runbook/journal/run-1/${HASH}`,
    });
    expect(vault.journalSeals.map((s) => s.path)).toEqual([seal.kind === 'written' && seal.path]);
  });

  it('Given Vault refuses the token by then, When the run ends, Then the line says it was not written and why', async () => {
    const vault = FakeVault.unsealedWith(SHARES, 2);
    const credentials = new MemoryCredentials();
    credentials.confirm(new Secret('hvs.not-a-live-token'), vault.nodes()[0]!);
    const seal = await sealInAuditLog({ vault, credentials }, 'run-1', HASH, signal());
    expect(seal.kind).toBe('failed');
    expect(describeAuditSeal(seal)).toMatch(/^not written to Vault's audit log: node-1 refused/);
    expect(describeAuditSeal(seal)).not.toContain('hvs.not-a-live-token');
  });

  it('Given a hash or run id that is not one, When the path is made, Then it is refused (no path traversal into other cubbyhole keys)', async () => {
    const vault = FakeVault.unsealedWith(SHARES, 2);
    const credentials = new MemoryCredentials();
    credentials.confirm(vault.rootToken(), vault.nodes()[0]!);
    expect((await sealInAuditLog({ vault, credentials }, '../x', HASH, signal())).kind).toBe(
      'failed',
    );
    expect((await sealInAuditLog({ vault, credentials }, 'r', '../../x', signal())).kind).toBe(
      'failed',
    );
    expect(vault.journalSeals).toEqual([]);
  });
});
