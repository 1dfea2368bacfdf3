import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../../src/adapters/vault.js';
import { screenPoller } from '../../src/app/status-screen.js';
import { App } from '../../src/ui/App.js';
import { UiController } from '../../src/ui/controller.js';
import { humanActionIds } from '../../src/app/registry.js';
import { ensureTools } from '../support/tools.js';
import { startVault, type VaultServer } from '../support/vault-server.js';
import { renderTerm, waitForFrame } from './helpers.js';

let server: VaultServer;
let vault: VaultHttp;
const node = (): { name: string; address: string } => ({ name: 'node-1', address: server.address });

beforeAll(async () => {
  const tools = await ensureTools();
  server = await startVault(tools.VAULT_BIN ?? '');
  vault = new VaultHttp({ nodes: [node()], caCert: server.caCert });
}, 60 * 60_000);
afterAll(async () => server?.stop());
afterEach(() => cleanup());

describe('live status pane on a real Vault', () => {
  it("Given an unsealed node on screen and the screen's own poller (backing off, lock holder kept while nothing changes), When it is sealed through the API, Then the pane shows it sealed within one refresh", async () => {
    const signal = AbortSignal.timeout(20_000);
    const init = await vault.init(node(), { secretShares: 1, secretThreshold: 1 }, signal);
    await vault.unseal(node(), init.keys[0]!, signal);
    const controller = new UiController({
      runbooks: [],
      open: () => Promise.reject(new Error('no runs here')),
      humanActionIds: humanActionIds(),
      onQuit: () => undefined,
    });
    const poller = screenPoller(
      undefined,
      vault,
      undefined,
      (s) => controller.updateCluster(s),
      (s) => controller.updateCluster(s),
    );
    poller.start();
    try {
      const term = renderTerm(<App store={controller.store} />);
      await waitForFrame(term, (f) => /node-1.*unsealed/.test(f) || /node-1.*active/.test(f));
      await vault.seal(node(), init.rootToken, signal);
      const sealedAt = Date.now();
      const frame = await waitForFrame(
        term,
        (f) => /node-1.*sealed/.test(f.replace(/unsealed/g, '')),
        5000,
      );
      // The figure, not an assertion on time: the pane refreshes every second.
      process.stdout.write(`status pane showed the seal after ${Date.now() - sealedAt} ms\n`);
      expect(frame).toMatch(/503/);
    } finally {
      poller.stop();
    }
  });
});
