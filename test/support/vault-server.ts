import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface VaultServer {
  readonly address: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * One real Vault server on loopback with in-memory storage: not dev mode, so it starts
 * uninitialized and sealed like a production node.
 */
export async function startVault(bin: string): Promise<VaultServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vr-vault-'));
  const address = `http://127.0.0.1:${port}`;
  const config = join(dir, 'vault.hcl');
  writeFileSync(
    config,
    `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\ndisable_mlock = true\napi_addr = "${address}"\nui = false\n`,
  );
  const proc: ResultPromise = execa(bin, ['server', `-config=${config}`], {
    reject: false,
    stdout: { file: join(dir, 'vault.log') },
    stderr: 'pipe',
  });
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${address}/v1/sys/health`);
      if (r.status === 501 || r.status === 503 || r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until || proc.exitCode !== null)
      throw new Error(`vault did not start: ${String((await proc).stderr)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    dir,
    stop: async () => {
      proc.kill('SIGTERM');
      await proc;
    },
  };
}
