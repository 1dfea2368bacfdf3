import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Router } from './s3-router.js';

const HOST = '127.0.0.1';

/** Stand in for the two MinIOs: each echoes its name and what reached it. */
const upstreams = new Map<string, Server>();
const bases = new Map<string, string>();
let router: S3Router;
/** bucket → MinIO name, or undefined while that region is down. */
let routes = new Map<string, string | undefined>();

function echo(name: string): Server {
  return createServer((req, res) => {
    let b = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (b += c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name, url: req.url, host: req.headers.host, body: b }));
    });
  });
}

function send(path: string, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${router.url}${path}`,
      { method: 'PUT', agent: false, signal: AbortSignal.timeout(5_000) },
      (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  for (const name of ['minio-primary', 'minio-dr']) {
    const s = echo(name);
    await new Promise<void>((r) => s.listen(0, HOST, () => r()));
    const a = s.address();
    upstreams.set(name, s);
    bases.set(name, `http://${HOST}:${typeof a === 'object' && a ? a.port : 0}`);
  }
  const base = (name: string | undefined): string | undefined =>
    name === undefined ? undefined : bases.get(name);
  router = new S3Router(
    HOST,
    0,
    (bucket) => base(routes.get(bucket)),
    () => base(routes.get('primary-bucket')),
  );
  await router.start();
});

afterAll(async () => {
  await router.stop();
  for (const s of upstreams.values()) await new Promise<void>((r) => s.close(() => r()));
});

describe('S3Router', () => {
  it('Given two buckets on two MinIOs, When an object is put in each, Then each request reaches the MinIO of its bucket unchanged', async () => {
    routes = new Map([
      ['primary-bucket', 'minio-primary'],
      ['dr-bucket', 'minio-dr'],
    ]);
    const p = await send('/primary-bucket/a/b.json?x-id=PutObject', 'one');
    expect(p.status).toBe(200);
    expect(JSON.parse(p.body)).toEqual({
      name: 'minio-primary',
      url: '/primary-bucket/a/b.json?x-id=PutObject',
      host: new URL(router.url).host,
      body: 'one',
    });
    const d = await send('/dr-bucket/c', 'two');
    expect(JSON.parse(d.body)).toMatchObject({
      name: 'minio-dr',
      url: '/dr-bucket/c',
      body: 'two',
    });
  });

  it('Given no bucket in the path, When a request arrives, Then it goes to the fallback MinIO', async () => {
    routes = new Map([['primary-bucket', 'minio-primary']]);
    const r = await send('/?list-type=2');
    expect(JSON.parse(r.body)).toMatchObject({ name: 'minio-primary', url: '/?list-type=2' });
  });

  it('Given the bucket’s region down, When a request for it arrives, Then it answers 503 ServiceUnavailable naming the bucket', async () => {
    routes = new Map([
      ['primary-bucket', undefined],
      ['dr-bucket', 'minio-dr'],
    ]);
    const r = await send('/primary-bucket/k');
    expect(r.status).toBe(503);
    expect(r.body).toContain('<Code>ServiceUnavailable</Code>');
    expect(r.body).toContain('is unreachable');
    expect(r.body).toContain('<BucketName>primary-bucket</BucketName>');
    expect(JSON.parse((await send('/dr-bucket/k')).body)).toMatchObject({ name: 'minio-dr' });
  });

  it('Given a MinIO that does not answer, When a request for its bucket arrives, Then it answers 503 saying it did not answer', async () => {
    routes = new Map([['gone-bucket', 'minio-gone']]);
    bases.set('minio-gone', `http://${HOST}:1`);
    const r = await send('/gone-bucket/k');
    expect(r.status).toBe(503);
    expect(r.body).toContain('did not answer');
  });
});
