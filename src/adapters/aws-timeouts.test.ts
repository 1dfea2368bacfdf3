import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsSdk } from './aws/index.js';

const open: ServerResponse[] = [];
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const r of open.splice(0)) r.destroy();
  for (const s of servers.splice(0)) s.close();
});

describe('AwsSdk deadlines', () => {
  it('Given an AWS endpoint that accepts and never answers, When an Auto Scaling group is described, Then the call fails with a timeout instead of hanging until the caller gives up', async () => {
    const server = createServer((_req, res) => void open.push(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const aws = new AwsSdk(
      { autoscaling: url },
      {
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        timeouts: { connectionTimeout: 1_000, requestTimeout: 300 },
      },
    );
    // The caller's own signal would end it only after a minute: the SDK's deadline comes first.
    const err = await aws
      .describeAsg('vault', 'us-east-1', AbortSignal.timeout(60_000))
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/exceeded the configured 300 ms requestTimeout/);
    expect((err as Error).name).toBe('TimeoutError');
  }, 70_000);
});
