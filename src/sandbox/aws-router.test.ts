import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsRouter, signedScope } from './aws-router.js';

const HOST = '127.0.0.1';
const auth = (region: string, service: string): string =>
  `AWS4-HMAC-SHA256 Credential=vaultsandbox/20261129/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123`;

/** Stands in for moto: echoes what reached it, so a test sees the request passed unchanged. */
let upstream: Server;
let router: AwsRouter;
let down = new Set<string>();

function send(
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      `${router.url}/some/path?Action=DescribeAutoScalingGroups`,
      { method: 'POST', headers, agent: false, signal: AbortSignal.timeout(5_000) },
      (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let b = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (b += c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          url: req.url,
          host: req.headers.host,
          auth: req.headers.authorization,
          body: b,
        }),
      );
    });
  });
  await new Promise<void>((r) => upstream.listen(0, HOST, () => r()));
  const a = upstream.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  router = new AwsRouter(HOST, 0, `http://${HOST}:${port}`, (region) => down.has(region));
  await router.start();
});

afterAll(async () => {
  await router.stop();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('signedScope', () => {
  it('Given a SigV4 Authorization header, When parsed, Then the region and service come from the credential scope', () => {
    expect(signedScope(auth('us-east-1', 'autoscaling'))).toEqual({
      region: 'us-east-1',
      service: 'autoscaling',
    });
    expect(signedScope(auth('us-west-2', 'dynamodb'))).toEqual({
      region: 'us-west-2',
      service: 'dynamodb',
    });
  });
  it('Given no header or one that is not SigV4, When parsed, Then it names no region', () => {
    expect(signedScope(undefined)).toBeUndefined();
    expect(signedScope('Basic dXNlcjpwYXNz')).toBeUndefined();
  });
});

describe('AwsRouter', () => {
  it('Given no region down, When a signed request arrives, Then it reaches moto unchanged (path, Host, signature, body)', async () => {
    down = new Set();
    const r = await send({ authorization: auth('us-east-1', 'autoscaling') }, 'Action=X&Version=1');
    expect(r).toMatchObject({ status: 200 });
    const seen = JSON.parse((r as { body: string }).body) as Record<string, string>;
    expect(seen).toEqual({
      url: '/some/path?Action=DescribeAutoScalingGroups',
      host: new URL(router.url).host,
      auth: auth('us-east-1', 'autoscaling'),
      body: 'Action=X&Version=1',
    });
  });

  it('Given us-east-1 down, When a regional API of us-east-1 is called, Then the connection closes without an answer', async () => {
    down = new Set(['us-east-1']);
    for (const svc of ['autoscaling', 'ec2', 'elasticloadbalancing', 'dynamodb'])
      expect(await send({ authorization: auth('us-east-1', svc) })).toEqual({
        error: 'ECONNRESET',
      });
  });

  it('Given us-east-1 down, When Route 53 (global, signed as us-east-1) or another region is called, Then they still answer', async () => {
    down = new Set(['us-east-1']);
    expect(await send({ authorization: auth('us-east-1', 'route53') })).toMatchObject({
      status: 200,
    });
    expect(await send({ authorization: auth('us-west-2', 'autoscaling') })).toMatchObject({
      status: 200,
    });
  });

  it('Given the region back up, When its API is called again, Then it answers', async () => {
    down = new Set(['us-east-1']);
    expect(await send({ authorization: auth('us-east-1', 'ec2') })).toHaveProperty('error');
    down = new Set();
    expect(await send({ authorization: auth('us-east-1', 'ec2') })).toMatchObject({ status: 200 });
  });
});
