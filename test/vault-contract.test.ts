import { VaultHttp } from '../src/adapters/vault.js';
import { describeVaultContract } from '../src/test-support/vault-contract.js';
import { ensureTools } from './support/tools.js';
import { startVault } from './support/vault-server.js';

describeVaultContract(
  'a real Vault server (VaultHttp over TLS)',
  async () => {
    const tools = await ensureTools();
    if (!tools.VAULT_BIN) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
    const server = await startVault(tools.VAULT_BIN);
    const node = { name: 'node-1', address: server.address };
    return {
      vault: new VaultHttp({ nodes: [node], caCert: server.caCert }),
      node,
      auditDir: server.dir,
      stop: () => server.stop(),
    };
  },
  60 * 60_000,
);
