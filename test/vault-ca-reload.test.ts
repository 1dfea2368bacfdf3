import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultHttp } from '../src/adapters/vault.js';

/** A self-signed certificate for 127.0.0.1 (its own CA), made with the openssl CLI. */
async function selfSigned(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  return { cert, key };
}

function serve(tls: { cert: string; key: string }, port = 0): Promise<Server> {
  const server = createServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ initialized: true, sealed: false, standby: false }));
    },
  );
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('VaultHttp CA file', () => {
  it('Given a long-lived client, When the CA file is replaced (a re-created sandbox), Then the next request trusts the new CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-ca-'));
    const one = await selfSigned(dir, 'one');
    const two = await selfSigned(dir, 'two');
    const caFile = join(dir, 'ca.pem');
    copyFileSync(one.cert, caFile);
    const first = await serve(one);
    servers.push(first);
    const port = (first.address() as AddressInfo).port;
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: `https://127.0.0.1:${port}` }],
      caCert: caFile,
    });
    const node = vault.nodes()[0]!;
    const signal = AbortSignal.timeout(10_000);
    expect(await vault.health(node, signal)).toMatchObject({ reachable: true, code: 200 });
    // The cluster comes back on the same address with a new CA, written over the old file.
    await new Promise<void>((r) => first.close(() => r()));
    servers.push(await serve(two, port));
    await new Promise((r) => setTimeout(r, 20)); // a later mtime, whatever the file system's grain
    copyFileSync(two.cert, caFile);
    expect(await vault.health(node, signal)).toMatchObject({ reachable: true, code: 200 });
  });
});
