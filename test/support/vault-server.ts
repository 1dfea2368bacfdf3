import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { VaultTransport } from '../../src/adapters/vault-transport.js';

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
  /** https://127.0.0.1:<port> */
  readonly address: string;
  /** The CA that signed the server's certificate (for 127.0.0.1 and DNS name vault.test). */
  readonly caCert: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** The name besides 127.0.0.1 the server's certificate carries (for tls.server_name tests). */
export const SERVER_NAME = 'vault.test';

/** A CA and a server certificate signed by it, made with the openssl CLI. */
export async function makeCerts(
  dir: string,
  sans = `IP:127.0.0.1,DNS:${SERVER_NAME}`,
): Promise<{ ca: string; cert: string; key: string }> {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca-key.pem');
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server-key.pem');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'ext.cnf');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await execa('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    ca,
    '-days',
    '2',
    '-subj',
    '/CN=vault-runbook test CA',
  ]);
  await execa('openssl', [
    'req',
    ...ec,
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    '/CN=vault test server',
  ]);
  writeFileSync(ext, `subjectAltName=${sans}\n`);
  await execa('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { ca, cert, key };
}

/**
 * One real Vault server on loopback with in-memory storage: not dev mode, so it starts
 * uninitialized and sealed like a production node.
 */
export async function startVault(bin: string): Promise<VaultServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vr-vault-'));
  const address = `https://127.0.0.1:${port}`;
  const certs = await makeCerts(dir);
  const config = join(dir, 'vault.hcl');
  writeFileSync(
    config,
    `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_cert_file = "${certs.cert}"\n  tls_key_file = "${certs.key}"\n}\ndisable_mlock = true\napi_addr = "${address}"\nui = false\n`,
  );
  const proc: ResultPromise = execa(bin, ['server', `-config=${config}`], {
    reject: false,
    stdout: { file: join(dir, 'vault.log') },
    stderr: 'pipe',
  });
  const until = Date.now() + 30_000;
  const probe = new VaultTransport({ caCert: certs.ca, timeoutMs: 2000 });
  const self = { name: 'test-vault', address };
  for (;;) {
    try {
      const r = await probe.send(
        self,
        { method: 'GET', path: 'sys/health' },
        AbortSignal.timeout(3000),
        () => true,
      );
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
    caCert: certs.ca,
    dir,
    stop: async () => {
      proc.kill('SIGTERM');
      await proc;
    },
  };
}
