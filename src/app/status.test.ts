import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { replicationLag } from '../domain/cluster.js';
import { defaultCodeOf, roleOf } from '../domain/health.js';
import { Secret } from '../domain/secret.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { toClusterView } from '../ui/cluster-view.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import { FakeAws } from '../test-support/fake-aws.js';
import { AwsStatusCache, collectStatus, formatStatus } from './status.js';

const shares = ['aa11aa11', 'bb22bb22', 'cc33cc33', 'dd44dd44', 'ee55ee55'];

/** node-1 active, node-2 sealed with one share in, node-3 accepts connections and never answers. */
async function cluster(): Promise<FakeVault> {
  const v = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2', 'node-3'] });
  v.crash('node-2');
  await v.unseal(v.nodes()[1]!, new Secret('aa11aa11'), AbortSignal.timeout(1000));
  v.state('node-3').hangs = true;
  return v;
}

describe('collectStatus', () => {
  it('Given a node that never answers, When status is collected, Then it shows unreachable and the others are not held up', async () => {
    const vault = await cluster();
    const s = await collectStatus(undefined, vault, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 100,
    });
    expect(s.nodes.map((n) => [n.name, n.role, n.healthCode ?? null, n.reachable])).toEqual([
      ['node-1', 'active', 200, true],
      ['node-2', 'unknown', 503, true],
      ['node-3', 'unknown', null, false],
    ]);
    expect(s.nodes[1]?.progress).toEqual({ t: 3, n: 5, progress: 1, nonce: 'nonce-1' });
    expect(s.haLockHolder).toBe('https://node-1:8200');
    expect(s.summary).toEqual({ sealed: 1, unsealed: 1, uninitialized: 0, unreachable: 1 });
    const text = formatStatus(s);
    expect(text).toMatch(/node-2 .* sealed 1\/3 nonce nonce-1/);
    expect(text).toMatch(/node-3 .*unreachable.*could not read: node-3: health: no answer/);
  });

  it('Given a node that never answers and a garbage collection while it is awaited, When status is collected, Then its deadline still fires and it shows unreachable', async () => {
    // On Node 20 a timeout signal inside AbortSignal.any can be collected before it fires
    // (nodejs/node#57736): the round then waited for ever — under a full suite's GC pressure
    // this test's twin above timed out at 60 s. A collection is forced here to make it certain.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const vault = await cluster();
    const round = collectStatus(undefined, vault, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 200,
    });
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const s = await round;
    expect(s.nodes.map((n) => [n.name, n.reachable])).toEqual([
      ['node-1', true],
      ['node-2', true],
      ['node-3', false],
    ]);
  }, 10_000);

  it('Given the first unsealed node does not answer sys/leader, When status is collected, Then the HA lock holder comes from the next unsealed node', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const leader = vault.leader.bind(vault);
    vault.leader = (node, signal) =>
      node.name === 'node-1'
        ? Promise.reject(new Error('node-1: no answer'))
        : leader(node, signal);
    const s = await collectStatus(undefined, vault, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 100,
    });
    expect(s.haLockHolder).toBe('https://node-1:8200');
    expect(vault.calls).toContain('leader node-2');
  });
  it('Given a node whose version carries terminal escape sequences, When status is collected, Then the text and the status pane get it without control characters', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, {
      nodes: ['node-1'],
      version: '1.14.8\x1b]0;owned\x07\x1b[2J\x1b[1;1H; rm -rf /\r',
    });
    const s = await collectStatus(undefined, vault, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 100,
    });
    expect(s.nodes[0]?.version).toBe('1.14.8; rm -rf /');
    // eslint-disable-next-line no-control-regex
    const control = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
    expect(formatStatus(s)).not.toMatch(control);
    expect(JSON.stringify(toClusterView(s))).not.toMatch(/\\u001b|\\u0007|\\r/);
  });
});

describe('health codes', () => {
  it('Given each documented code, When decoded, Then the role matches DESIGN §8', () => {
    expect([200, 429, 472, 473, 474, 501, 503].map((c) => roleOf(c))).toEqual([
      'active',
      'standby',
      'dr-secondary',
      'perf-standby',
      'standby',
      'unknown',
      'unknown',
    ]);
    expect(defaultCodeOf({ initialized: false })).toBe(501);
    expect(defaultCodeOf({ initialized: true, sealed: true })).toBe(503);
    expect(defaultCodeOf({ initialized: true, sealed: false, standby: true })).toBe(429);
    expect(
      defaultCodeOf({ initialized: true, sealed: false, standby: true, performance_standby: true }),
    ).toBe(473);
  });
});

describe('replicationLag', () => {
  it('Given objects not yet in the DR bucket, When compared, Then lag is the age of the oldest pending one', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    const primary = [
      { key: 'core/a', lastModified: '2026-01-01T00:00:00Z', etag: '"1"' },
      { key: 'core/b', lastModified: '2026-01-01T00:09:00Z', etag: '"2"' },
      { key: 'core/c', lastModified: '2026-01-01T00:05:00Z', etag: '"3"' },
    ];
    const dr = [
      { key: 'core/a', lastModified: '2026-01-01T00:00:01Z', etag: '"1"' },
      { key: 'core/c', lastModified: '2026-01-01T00:04:00Z', etag: '"old"' },
    ];
    expect(replicationLag(primary, dr, now)).toEqual({ lagSeconds: 300, pendingObjects: 2 });
    expect(replicationLag(primary.slice(0, 1), dr, now)).toEqual({
      lagSeconds: 0,
      pendingObjects: 0,
    });
  });
});

/** A FakeAws that counts the calls the status makes of it. */
function countingAws(): { aws: AwsPort; count: Map<string, number> } {
  const fake = new FakeAws();
  fake.put('data', 'core/x', 'a');
  fake.put('data-dr', 'core/x', 'a');
  const count = new Map<string, number>();
  const aws = new Proxy(fake, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        count.set(prop, (count.get(prop) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { aws, count };
}

const awsProfile = {
  name: 'p',
  vault: { addresses: ['https://node-1:8200', 'https://node-2:8200'] },
  aws: { region: 'r1', asg: 'vault-primary', data_bucket: 'data', dr_data_bucket: 'data-dr' },
} as unknown as Profile;

describe('AwsStatusCache', () => {
  it('Given a poller with an AWS cache, When the nodes stay the same, Then AWS is read once per max age while Vault is read every round', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const { aws, count } = countingAws();
    let now = 0;
    const awsCache = new AwsStatusCache(15_000, () => now);
    const rounds: string[] = [];
    for (let i = 0; i < 8; i++, now += 2000) {
      const s = await collectStatus(awsProfile, vault, aws, AbortSignal.timeout(1000), {
        awsCache,
      });
      rounds.push(`${s.regions[0]?.asg?.desired ?? '-'}`);
    }
    // Rounds at 0, 2 … 14 s: one AWS read at 0 s; the 8th round (14 s) still within 15 s.
    expect(count.get('describeAsg')).toBe(1);
    expect(count.get('listObjects')).toBe(2); // both data buckets' current objects, once
    expect(count.get('listObjectVersions')).toBeUndefined(); // never their history
    expect(rounds).toEqual(Array(8).fill('3')); // the cached rows are shown every round
    await collectStatus(awsProfile, vault, aws, AbortSignal.timeout(1000), { awsCache });
    expect(count.get('describeAsg')).toBe(2); // at 16 s the cache is too old
  });

  it('Given fresh cached AWS rows, When a node changes (it seals), Then the next round reads AWS again', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const { aws, count } = countingAws();
    const awsCache = new AwsStatusCache(60_000, () => 0);
    const collect = () =>
      collectStatus(awsProfile, vault, aws, AbortSignal.timeout(1000), { awsCache });
    await collect();
    await collect();
    expect(count.get('describeAsg')).toBe(1);
    vault.crash('node-2'); // restarted sealed: an instance may have been replaced with it
    await collect(); // sees the change (AWS still cached this round)
    await collect();
    expect(count.get('describeAsg')).toBe(2);
    await collect();
    expect(count.get('describeAsg')).toBe(2);
  });

  it('Given a screen cache that backs off, When nothing changes, Then the AWS reads space out up to the idle maximum while the nodes are read every round', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const { aws, count } = countingAws();
    let now = 0;
    const health = vault.health.bind(vault);
    let asked = 0;
    vault.health = (...args) => {
      asked++;
      return health(...args);
    };
    const awsCache = new AwsStatusCache(15_000, () => now, { maxIdleAgeMs: 60_000 });
    const readsAt: number[] = [];
    let rounds = 0;
    for (; now <= 200_000; now += 2000) {
      const before = count.get('describeAsg') ?? 0;
      await collectStatus(awsProfile, vault, aws, AbortSignal.timeout(1000), { awsCache });
      rounds++;
      if ((count.get('describeAsg') ?? 0) > before) readsAt.push(now / 1000);
    }
    // 15 s, then 30 s, then 60 s apart, and no further apart than that.
    expect(readsAt).toEqual([0, 16, 46, 106, 166]);
    expect(asked).toBe(rounds * 2); // both nodes, every round
  });

  it('Given AWS reads that backed off, When a node seals, Then the very next round reads AWS and the wait is back to its base', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const { aws, count } = countingAws();
    let now = 0;
    const awsCache = new AwsStatusCache(15_000, () => now, { maxIdleAgeMs: 60_000 });
    const collect = () =>
      collectStatus(awsProfile, vault, aws, AbortSignal.timeout(1000), { awsCache });
    for (; now <= 60_000; now += 2000) await collect();
    expect(awsCache.ageLimitMs).toBe(60_000);
    const reads = count.get('describeAsg');
    vault.crash('node-2'); // sealed: shown by this round, its AWS columns by the next
    const sealed = await collect();
    expect(sealed.nodes[1]?.sealed).toBe(true);
    now += 2000;
    await collect();
    expect(count.get('describeAsg')).toBe((reads ?? 0) + 1);
    expect(awsCache.ageLimitMs).toBe(15_000);
  });

  it('Given AWS reads that backed off, When AWS reads something new (the ASG scaled), Then the wait is back to its base', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const fake = new FakeAws();
    let now = 0;
    const awsCache = new AwsStatusCache(15_000, () => now, { maxIdleAgeMs: 60_000 });
    const collect = () =>
      collectStatus(awsProfile, vault, fake, AbortSignal.timeout(1000), { awsCache });
    for (; now <= 60_000; now += 2000) await collect();
    expect(awsCache.ageLimitMs).toBe(60_000);
    fake.asg = { ...fake.asg, desired: 5 };
    now += 60_000;
    const s = await collect();
    expect(s.regions[0]?.asg?.desired).toBe(5);
    expect(awsCache.ageLimitMs).toBe(15_000);
  });

  it('Given no cache (status once), When status is collected twice, Then AWS is read both times', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const { aws, count } = countingAws();
    await collectStatus(awsProfile, vault, aws, AbortSignal.timeout(1000));
    await collectStatus(awsProfile, vault, aws, AbortSignal.timeout(1000));
    expect(count.get('describeAsg')).toBe(2);
  });

  it('Given a screen cache whose first round does not wait, When AWS is slow to answer, Then the nodes come without it and the next round has the AWS rows', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const { aws } = countingAws();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow: AwsPort = Object.assign(Object.create(aws) as AwsPort, {
      describeAsg: async (...args: Parameters<AwsPort['describeAsg']>) => {
        await gate; // the SDK loading, the first calls
        return aws.describeAsg(...args);
      },
    });
    const awsCache = new AwsStatusCache(60_000, () => 0, { firstRoundWaits: false });
    const collect = () =>
      collectStatus(awsProfile, vault, slow, AbortSignal.timeout(1000), { awsCache });
    const first = await collect(); // resolves while describeAsg still waits
    expect(first.nodes.map((n) => n.reachable)).toEqual([true, true]);
    expect(first.regions).toEqual([]);
    release();
    await new Promise((r) => setTimeout(r, 10));
    const second = await collect();
    expect(second.regions[0]?.asg?.desired).toBe(3);
  });

  it('Given an AWS call slower than a node deadline (the SDK loading, credentials resolving), When status is collected, Then the AWS rows wait for their own deadline', async () => {
    const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });
    const { aws } = countingAws();
    const slow: AwsPort = Object.assign(Object.create(aws) as AwsPort, {
      describeAsg: (...args: Parameters<AwsPort['describeAsg']>) =>
        new Promise<Awaited<ReturnType<AwsPort['describeAsg']>>>((resolve, reject) => {
          const signal = args[2];
          const t = setTimeout(() => resolve(aws.describeAsg(...args)), 200);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new Error('Request aborted'));
          });
        }),
    });
    const s = await collectStatus(awsProfile, vault, slow, AbortSignal.timeout(5000), {
      perNodeTimeoutMs: 50,
    });
    expect(s.regions[0]?.asg).toEqual({ name: 'vault-primary', desired: 3, inService: 0 });
  });
});
