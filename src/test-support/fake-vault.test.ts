import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeVault } from './fake-vault.js';
import { describeVaultContract } from './vault-contract.js';

describeVaultContract('FakeVault', () => {
  // Like a one-node Vault on storage without HA (the real server in the contract test is inmem).
  const vault = new FakeVault({ haEnabled: false });
  return Promise.resolve({
    vault,
    node: vault.nodes()[0]!,
    auditDir: mkdtempSync(join(tmpdir(), 'vr-fake-audit-')),
    stop: () => Promise.resolve(),
  });
});
