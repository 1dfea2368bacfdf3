import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeRootToken, VaultHttp, vaultFromProfile } from '../src/adapters/vault.js';
import { VaultTransport } from '../src/adapters/vault-transport.js';
import { Secret } from '../src/domain/secret.js';
import type { VaultNode } from '../src/engine/vault.js';
import { makeCerts, SERVER_NAME } from './support/vault-server.js';

/** What a test server saw of one request. */
interface Seen {
  readonly path: string;
  readonly token: string | undefined;
  readonly body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let certs: { ca: string; cert: string; key: string };
/** A certificate only for DNS:vault.test, not for the address 127.0.0.1. */
let nameOnly: { ca: string; cert: string; key: string };
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

beforeAll(async () => {
  certs = await makeCerts(mkdtempSync(join(tmpdir(), 'vr-tls-')));
  nameOnly = await makeCerts(mkdtempSync(join(tmpdir(), 'vr-tls-name-')), `DNS:${SERVER_NAME}`);
});

function record(seen: Seen[], then: Handler): Handler {
  return (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const t = req.headers['x-vault-token'];
      seen.push({ path: req.url ?? '', token: typeof t === 'string' ? t : undefined, body });
      then(req, res);
    });
  };
}

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

async function https(
  handler: Handler,
  tls: { cert: string; key: string } = certs,
): Promise<{ server: Server; url: string }> {
  const server = createServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
    handler,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function http(handler: Handler): Promise<string> {
  const server = createHttpServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const sealed = { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 1 };
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

describe('VaultHttp: redirects', () => {
  for (const kind of ['another https host', 'plain http'] as const)
    it(`Given a node that redirects sys/unseal to ${kind}, When a share is sent, Then the redirect is not followed and the share never reaches the second server`, async () => {
      const second: Seen[] = [];
      const target =
        kind === 'plain http'
          ? await http(record(second, json(200, sealed)))
          : (await https(record(second, json(200, sealed)))).url;
      const first = await https((_req, res) => {
        res.writeHead(307, { location: `${target}/v1/sys/unseal` });
        res.end();
      });
      const vault = new VaultHttp({
        nodes: [{ name: 'node-1', address: first.url }],
        caCert: certs.ca,
      });
      const share = new Secret('aa11aa11bb22bb22');
      const err = await vault.unseal(vault.nodes()[0]!, share, signal()).then(
        () => undefined,
        (e: unknown) => e as Error & { status?: number },
      );
      expect(err?.status).toBe(307);
      expect(err?.message).toMatch(/redirected .*not followed/);
      expect(err?.message).not.toContain('aa11aa11');
      expect(second).toEqual([]);
    });

  it('Given a node that redirects an authenticated call, When the token is sent, Then it reaches only the node the profile names', async () => {
    const second: Seen[] = [];
    const target = await https(record(second, json(200, { data: {} })));
    const firstSeen: Seen[] = [];
    const first = await https(
      record(firstSeen, (_req, res) => {
        res.writeHead(307, { location: `${target.url}/v1/sys/mounts` });
        res.end();
      }),
    );
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: first.url }],
      caCert: certs.ca,
    });
    await expect(
      vault.mounts(vault.nodes()[0]!, new Secret('hvs.operator-token'), signal()),
    ).rejects.toMatchObject({ status: 307 });
    expect(firstSeen.map((s) => s.token)).toEqual(['hvs.operator-token']);
    expect(second).toEqual([]);
  });
});

describe('VaultHttp: tokens', () => {
  it('Given VAULT_TOKEN in the environment, When health, seal status and unseal are called, Then no token is sent', async () => {
    const seen: Seen[] = [];
    const node = await https(
      record(seen, (req, res) =>
        json(req.url?.startsWith('/v1/sys/health') ? 503 : 200, sealed)(req, res),
      ),
    );
    const before = process.env.VAULT_TOKEN;
    process.env.VAULT_TOKEN = 'hvs.from-the-environment';
    try {
      const vault = vaultFromProfile(
        { name: 'p', vault: { addresses: [node.url], tls: { ca_cert: certs.ca } } },
        process.env,
      );
      const n = vault.nodes()[0]!;
      expect(await vault.health(n, signal())).toMatchObject({ reachable: true, code: 503 });
      await vault.sealStatus(n, signal());
      await vault.unseal(n, new Secret('aa11aa11'), signal());
    } finally {
      if (before === undefined) delete process.env.VAULT_TOKEN;
      else process.env.VAULT_TOKEN = before;
    }
    expect(seen.map((s) => s.path)).toEqual([
      '/v1/sys/health',
      '/v1/sys/seal-status',
      '/v1/sys/unseal',
    ]);
    expect(seen.map((s) => s.token)).toEqual([undefined, undefined, undefined]);
  });
});

describe('VaultHttp: TLS', () => {
  it('Given VAULT_SKIP_VERIFY=false and a server whose certificate the profile CA did not sign, When health is read, Then verification still refuses it', async () => {
    const other = await makeCerts(mkdtempSync(join(tmpdir(), 'vr-tls-other-')));
    const node = await https(json(200, { initialized: true, sealed: false }), other);
    // The process's own environment, as an operator's shell would set it.
    const before = process.env.VAULT_SKIP_VERIFY;
    process.env.VAULT_SKIP_VERIFY = 'false';
    let h: Awaited<ReturnType<VaultHttp['health']>>;
    try {
      const vault = vaultFromProfile(
        { name: 'p', vault: { addresses: [node.url], tls: { ca_cert: certs.ca } } },
        process.env,
      );
      h = await vault.health(vault.nodes()[0]!, signal());
    } finally {
      if (before === undefined) delete process.env.VAULT_SKIP_VERIFY;
      else process.env.VAULT_SKIP_VERIFY = before;
    }
    expect(h).toMatchObject({ reachable: false });
    expect(h.reachable ? '' : h.error).toMatch(/certificate|self.signed|issuer/i);
  });

  it('Given VAULT_SKIP_VERIFY=true without the profile override, When the client is made, Then it is refused as a usage error', () => {
    expect(() =>
      vaultFromProfile(
        { name: 'p', vault: { addresses: ['https://127.0.0.1:8200'], tls: { ca_cert: certs.ca } } },
        { VAULT_SKIP_VERIFY: 'true' },
      ),
    ).toThrow(/refusing an insecure Vault connection.*TLS verification is switched off/);
  });

  it('Given an http:// address or skip_verify in the profile, When the client is made without an override, Then it is refused; with insecure_override it is allowed and says so', () => {
    expect(() =>
      vaultFromProfile({ name: 'p', vault: { addresses: ['http://127.0.0.1:8200'] } }, {}),
    ).toThrow(/node-1 \(http:\/\/127\.0\.0\.1:8200\) is not https/);
    expect(() =>
      vaultFromProfile(
        { name: 'p', vault: { addresses: ['https://127.0.0.1:8200'], tls: { skip_verify: true } } },
        {},
      ),
    ).toThrow(/switched off/);
    const lab = vaultFromProfile(
      {
        name: 'p',
        vault: {
          addresses: ['http://127.0.0.1:8200'],
          tls: { insecure_override: 'lab cluster without TLS' },
        },
      },
      {},
    );
    expect(lab.insecure).toMatch(/INSECURE .*lab cluster without TLS.*not https/);
  });

  it('Given a certificate for vault.test and an IP address, When tls.server_name names it, Then it verifies; without it, the name mismatch is refused', async () => {
    const node = await https(json(200, { initialized: true, sealed: false }), nameOnly);
    const profile = (serverName?: string) => ({
      name: 'p',
      vault: {
        addresses: [node.url],
        tls: { ca_cert: nameOnly.ca, ...(serverName ? { server_name: serverName } : {}) },
      },
    });
    const without = vaultFromProfile(profile(), {});
    const h1 = await without.health(without.nodes()[0]!, signal());
    expect(h1.reachable ? '' : h1.error).toMatch(
      /IP: 127\.0\.0\.1 is not in the cert's list|altnames/i,
    );
    const named = vaultFromProfile(profile(SERVER_NAME), {});
    expect(await named.health(named.nodes()[0]!, signal())).toMatchObject({
      reachable: true,
      code: 200,
    });
    const wrong = vaultFromProfile(profile('other.test'), {});
    const h3 = await wrong.health(wrong.nodes()[0]!, signal());
    expect(h3.reachable ? '' : h3.error).toMatch(/other\.test/);
  });
});

describe('VaultHttp: deadlines', () => {
  it('Given a node that accepts connections and never answers, When seal status is read, Then it fails with the deadline and holds no socket', async () => {
    const open: ServerResponse[] = [];
    const node = await https((_req, res) => void open.push(res));
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: node.url }],
      caCert: certs.ca,
      timeoutMs: 300,
    });
    await expect(vault.sealStatus(vault.nodes()[0]!, signal())).rejects.toThrow(
      /node-1: GET sys\/seal-status: no answer within 300 ms/,
    );
    // The client destroyed its socket: the server sees the connection closed.
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (open[0]?.req.socket.destroyed) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
  });

  it("Given the caller's signal aborts first, When a call is in flight, Then it ends as aborted, not as a timeout", async () => {
    const node = await https(() => undefined);
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: node.url }],
      caCert: certs.ca,
    });
    const ctl = new AbortController();
    const p = vault.sealStatus(vault.nodes()[0]!, ctl.signal);
    setTimeout(() => ctl.abort(), 50);
    await expect(p).rejects.toThrow(/node-1: GET sys\/seal-status: aborted/);
  });
});

describe('VaultHttp: keep-alive', () => {
  const health = { initialized: true, sealed: false, standby: false, version: '1.14.8' };

  it('Given a node read five times, When health is polled, Then one verified TLS connection serves every read', async () => {
    const node = await https(json(200, health));
    let connections = 0;
    node.server.on('secureConnection', () => connections++);
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: node.url }],
      caCert: certs.ca,
    });
    for (let i = 0; i < 5; i++) {
      const h = await vault.health(vault.nodes()[0]!, signal());
      expect(h.reachable && h.code).toBe(200);
    }
    expect(connections).toBe(1);
    vault.close();
  });

  it("Given two nodes behind one server under different path prefixes, When each is read twice, Then every request goes to its own node's prefix", async () => {
    const seen: Seen[] = [];
    const node = await https(record(seen, json(200, health)));
    const vault = new VaultHttp({
      nodes: [
        { name: 'node-1', address: `${node.url}/one/` },
        { name: 'node-2', address: `${node.url}/two` },
      ],
      caCert: certs.ca,
    });
    for (let i = 0; i < 2; i++)
      for (const n of vault.nodes()) expect((await vault.health(n, signal())).reachable).toBe(true);
    expect(seen.map((s) => s.path)).toEqual([
      '/one/v1/sys/health',
      '/two/v1/sys/health',
      '/one/v1/sys/health',
      '/two/v1/sys/health',
    ]);
    vault.close();
  });

  it('Given calls with and without a query, and a LIST, When sent, Then the node sees each query as given, list=true joined to a LIST\'s, and no "?" on a call without one', async () => {
    const seen: Seen[] = [];
    const node = await https(record(seen, json(200, health)));
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: node.url }],
      caCert: certs.ca,
    });
    const n = vault.nodes()[0]!;
    await vault.health(n, signal());
    await vault.health(n, signal(), { standbyok: true, perfstandbyok: true });
    vault.close();
    const http = new VaultTransport({ caCert: certs.ca });
    await http.send(n, { method: 'LIST', path: 'secret/metadata/' }, signal());
    await http.send(n, { method: 'LIST', path: '/secret/metadata/?after=a b' }, signal());
    await http.send(n, { method: 'GET', path: 'sys/mounts?x=1' }, signal());
    http.close();
    expect(seen.map((s) => s.path)).toEqual([
      '/v1/sys/health',
      '/v1/sys/health?standbyok=true&perfstandbyok=true',
      '/v1/secret/metadata/?list=true',
      '/v1/secret/metadata/?after=a+b&list=true',
      '/v1/sys/mounts?x=1',
    ]);
  });

  it("Given a poller's long-lived signal, When health is read many times (answered or timed out), Then no call leaves a listener on it", async () => {
    const node = await https(json(200, health));
    const silent = await https(() => undefined);
    const vault = new VaultHttp({
      nodes: [
        { name: 'node-1', address: node.url },
        { name: 'node-2', address: silent.url },
      ],
      caCert: certs.ca,
      timeoutMs: 100,
    });
    const poller = new AbortController();
    const [answers, never] = vault.nodes() as [VaultNode, VaultNode];
    for (let i = 0; i < 20; i++) await vault.health(answers, poller.signal);
    const h = await vault.health(never, poller.signal);
    expect(h.reachable).toBe(false); // the deadline still fired
    expect(getEventListeners(poller.signal, 'abort')).toHaveLength(0);
    vault.close();
  });

  it('Given pooled connections to two nodes, When the client is closed, Then every socket is destroyed and later calls fail instead of reconnecting', async () => {
    const a = await https(json(200, health));
    const b = await https(json(200, health));
    const vault = new VaultHttp({
      nodes: [
        { name: 'node-1', address: a.url },
        { name: 'node-2', address: b.url },
      ],
      caCert: certs.ca,
    });
    for (const n of vault.nodes()) await vault.health(n, signal());
    const open = async (s: Server): Promise<number> =>
      new Promise((r) => s.getConnections((_e, n) => r(n)));
    expect((await open(a.server)) + (await open(b.server))).toBe(2);
    vault.close();
    // The servers see both connections end: nothing is left to keep the process alive.
    for (let i = 0; i < 100 && (await open(a.server)) + (await open(b.server)) > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect((await open(a.server)) + (await open(b.server))).toBe(0);
    const h = await vault.health(vault.nodes()[0]!, signal());
    expect(h.reachable ? 'answered' : h.error).toMatch(/closed/);
    expect(await open(a.server)).toBe(0);
  });

  it('Given a server that drops a pooled connection as it is reused, When health is read, Then it is asked again on a new connection; an unseal is never sent twice', async () => {
    const uses = new WeakMap<object, number>();
    let connections = 0;
    let unseals = 0;
    const node = await https((req, res) => {
      const n = (uses.get(req.socket) ?? 0) + 1;
      uses.set(req.socket, n);
      if (req.url?.includes('unseal')) unseals++;
      // The second request on a connection: the server closed it just then.
      if (n === 2) return void req.socket.destroy();
      json(200, req.url?.includes('unseal') ? sealed : health)(req, res);
    });
    node.server.on('secureConnection', () => connections++);
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: node.url }],
      caCert: certs.ca,
    });
    const n1 = vault.nodes()[0]!;
    expect((await vault.health(n1, signal())).reachable).toBe(true);
    const again = await vault.health(n1, signal());
    expect(again.reachable ? again.code : again.error).toBe(200);
    expect(connections).toBe(2);
    // Connection 2 has served one request; the unseal is its second and is dropped: not retried.
    await expect(vault.unseal(n1, new Secret('aa11aa11'), signal())).rejects.toThrow(/node-1/);
    expect(unseals).toBe(1);
    vault.close();
  });
});

describe('decodeRootToken', () => {
  it('Given the encoded token and OTP of a real Vault 1.14 attempt, When decoded, Then it is the hvs. token', () => {
    const token = decodeRootToken(
      new Secret('GgM6Gy8yJDIgHh09PgBWMV8ya19Yax5AdlAQBw'),
      new Secret('ruI5KsGqTDGnOB7sjw259YutE5Js'),
    );
    expect(token.reveal()).toBe('hvs.dAcCtZZSqBaB5EYja2k43eZt');
    expect(JSON.stringify({ token })).not.toContain('hvs.');
  });

  it('Given an OTP of another length, When decoded, Then it refuses instead of guessing', () => {
    expect(() => decodeRootToken(new Secret('GgM6Gy8y'), new Secret('short'))).toThrow(/length/);
  });
});

describe('VaultHttp: what a node may send back', () => {
  it('Given a node that streams a never-ending body fast, When seal status is read, Then the answer is cut off at the size cap, well before the deadline', async () => {
    let sent = 0;
    const node = await https((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: node.url }],
      caCert: certs.ca,
      timeoutMs: 60_000,
    });
    await expect(vault.sealStatus(vault.nodes()[0]!, signal())).rejects.toThrow(
      /node-1: GET sys\/seal-status: answered with more than 8 MiB: cut off/,
    );
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('Given a node whose error list is huge, When a call fails, Then the message stays one short line', async () => {
    const node = await https(json(400, { errors: ['x'.repeat(100_000), 'y'] }));
    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: node.url }],
      caCert: certs.ca,
    });
    const err = await vault.sealStatus(vault.nodes()[0]!, signal()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message.length).toBeLessThan(700);
  });
});
