import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cli, tempState } from './support/cli.js';
import { makeCerts } from './support/vault-server.js';

let certs: { ca: string; cert: string; key: string };
const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(
    { cert: readFileSync(certs.cert), key: readFileSync(certs.key) },
    handler,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  certs = await makeCerts(mkdtempSync(join(tmpdir(), 'vr-status-')));
});
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

describe('vault-runbook status with a node that never answers', () => {
  it('Given an active node and one that accepts connections but never answers, When status runs, Then it exits, names the silent node and still reports the HA lock holder', async () => {
    let active = '';
    active = await listen((req, res) => {
      res.writeHead(req.url?.startsWith('/v1/sys/health') ? 200 : 200, {
        'content-type': 'application/json',
      });
      res.end(
        JSON.stringify(
          req.url?.startsWith('/v1/sys/leader')
            ? { ha_enabled: true, is_self: true, leader_address: active }
            : { initialized: true, sealed: false, standby: false, version: '1.14.8' },
        ),
      );
    });
    // Accepts the TLS connection and the request, and never answers.
    const silent = await listen(() => undefined);
    const { dir, env } = tempState();
    const profile = join(dir, 'profile.yaml');
    writeFileSync(
      profile,
      stringify({ name: 'p', vault: { addresses: [active, silent], tls: { ca_cert: certs.ca } } }),
    );
    const r = await cli(['status', '--profile', profile], env);
    const out = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(r.exitCode, out).toBe(0);
    expect(out).toMatch(/node-2 .*unreachable.*could not read: node-2: GET sys\/health: no answer/);
    expect(out).toContain(`HA lock holder: ${active}`);
  }, 30_000);
});
