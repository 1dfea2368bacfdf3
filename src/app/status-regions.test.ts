import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterStatus } from '../domain/cluster.js';
import type { Profile } from '../domain/schema.js';
import type { VaultNode } from '../engine/vault.js';
import { FakeAws } from '../test-support/fake-aws-failover.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { AwsStatusCache, collectStatus, StatusPoller } from './status.js';

const shares = ['aa11aa11', 'bb22bb22', 'cc33cc33'];

const profile = {
  name: 'two-regions',
  vault: {
    addresses: ['https://node-1:8200', 'https://node-2:8200'],
    dr_addresses: ['https://dr-node-1:8200', 'https://dr-node-2:8200'],
  },
  aws: {
    region: 'us-east-1',
    dr_region: 'us-west-2',
    asg: 'vault-primary',
    dr_asg: 'vault-dr',
    data_bucket: 'data',
    dr_data_bucket: 'data-dr',
    route53: {
      zone_id: 'Z1',
      record: 'vault.example.internal',
      primary_value: '10.0.0.100',
      dr_value: '10.1.0.100',
    },
  },
} as unknown as Profile;

/** Both regions up, DNS on the primary; the DR nodes unsealed standbys of their own cluster. */
function twoRegions(): { vault: FakeVault; aws: FakeAws } {
  const vault = FakeVault.unsealedWith(shares, 2, {
    nodes: ['node-1', 'node-2'],
    drNodes: ['dr-node-1', 'dr-node-2'],
  });
  const aws = new FakeAws();
  aws.asgs.set('vault-primary', { region: 'us-east-1', min: 0, desired: 2, max: 3 });
  aws.asgs.set('vault-dr', { region: 'us-west-2', min: 0, desired: 2, max: 3 });
  aws.put('data', 'core/x', 'a');
  aws.put('data-dr', 'core/x', 'a');
  aws.records.set('vault.example.internal', {
    name: 'vault.example.internal.',
    type: 'A',
    ttl: 10,
    values: ['10.0.0.100'],
  });
  return { vault, aws };
}

const count = (calls: readonly string[], prefix: string): number =>
  calls.filter((c) => c.startsWith(prefix)).length;

describe('AwsStatusCache with two regions', () => {
  it('Given a poller every 2 s and nothing changing, When DNS moves to DR, Then Route 53 is read once per cache period and the move shows within one period', async () => {
    const { vault, aws } = twoRegions();
    let now = 0;
    const awsCache = new AwsStatusCache(15_000, () => now);
    const round = () =>
      collectStatus(profile, vault, aws, AbortSignal.timeout(1000), { awsCache }).then(
        (s) => s.failover?.dns?.region,
      );
    const seen: (string | undefined)[] = [];
    for (; now < 14_000; now += 2000) seen.push(await round());
    expect(seen).toEqual(Array(7).fill('primary'));
    expect(count(aws.calls, 'dnsRecord')).toBe(1); // not once a round
    expect(count(aws.calls, 'describeAsg')).toBe(2); // once per region
    // The record moves (another operator's failover) while every node stays as it was.
    aws.records.set('vault.example.internal', {
      name: 'vault.example.internal.',
      type: 'A',
      ttl: 10,
      values: ['10.1.0.100'],
    });
    const after: (string | undefined)[] = [];
    for (; now <= 16_000; now += 2000) after.push(await round());
    // 14 s: still within the period; 16 s: read again, DR shown.
    expect(after).toEqual(['primary', 'dr']);
    expect(count(aws.calls, 'dnsRecord')).toBe(2);
  });

  it('Given cached AWS rows, When a DR node changes state (it seals), Then the next round reads ASGs, replication and DNS again', async () => {
    const { vault, aws } = twoRegions();
    const awsCache = new AwsStatusCache(60_000, () => 0);
    const collect = () =>
      collectStatus(profile, vault, aws, AbortSignal.timeout(1000), { awsCache });
    await collect();
    await collect();
    expect(count(aws.calls, 'dnsRecord')).toBe(1);
    vault.crash('dr-node-2'); // restarted sealed: a failover or an instance replaced
    const sees = await collect(); // the change is shown at once, AWS still from the cache
    expect(sees.failover?.drNodes?.[1]?.sealed).toBe(true);
    await collect();
    expect(count(aws.calls, 'dnsRecord')).toBe(2);
    expect(count(aws.calls, 'describeAsg vault-dr')).toBe(2);
    expect(count(aws.calls, 'list data-dr')).toBe(2);
    await collect(); // and then cached again
    expect(count(aws.calls, 'dnsRecord')).toBe(2);
  });

  it('Given a screen cache, When its first round reads the nodes, Then no AWS call starts before every node of both regions has answered', async () => {
    const { vault, aws } = twoRegions();
    const order: string[] = [];
    const health = vault.health.bind(vault);
    vault.health = async (node: VaultNode, signal: AbortSignal) => {
      order.push(`health ${node.name}`);
      return health(node, signal);
    };
    const reach = aws.calls.push.bind(aws.calls);
    aws.calls.push = (...items: string[]) => {
      order.push(...items.map((c) => `aws ${c}`));
      return reach(...items);
    };
    const awsCache = new AwsStatusCache(60_000, () => 0, { firstRoundWaits: false });
    const first = await collectStatus(profile, vault, aws, AbortSignal.timeout(1000), {
      awsCache,
    });
    expect(first.nodes.map((n) => n.healthCode)).toEqual([200, 429]);
    expect(first.regions).toEqual([]); // the AWS part comes with a later round
    await new Promise((r) => setTimeout(r, 10));
    const firstAws = order.findIndex((c) => c.startsWith('aws '));
    expect(firstAws).toBeGreaterThan(-1);
    expect(order.slice(0, firstAws).sort()).toEqual([
      'health dr-node-1',
      'health dr-node-2',
      'health node-1',
      'health node-2',
    ]);
    const second = await collectStatus(profile, vault, aws, AbortSignal.timeout(1000), {
      awsCache,
    });
    expect(second.regions.map((r) => r.asg?.desired)).toEqual([2, 2]);
    expect(second.failover?.dns?.region).toBe('primary');
  });

  it('Given a profile that lists a DR node among its addresses too, When a round is collected, Then that node is asked once and shown in both places', async () => {
    const vault = FakeVault.unsealedWith(shares, 2, {
      nodes: ['node-1', 'node-2'],
      drNodes: ['dr-node-1'],
    });
    const dr1 = vault.drNodes()[0]!;
    // As a profile written before dr_addresses: the DR node is also the primary's node-3.
    const primary = [...vault.nodes(), { name: 'node-3', address: dr1.address }];
    vault.nodes = () => primary;
    const asked: string[] = [];
    const health = vault.health.bind(vault);
    vault.health = (node: VaultNode, signal: AbortSignal) => {
      asked.push(node.address);
      return health(node.address === dr1.address ? dr1 : node, signal);
    };
    const s = await collectStatus(undefined, vault, undefined, AbortSignal.timeout(1000));
    expect(asked.filter((a) => a === dr1.address)).toHaveLength(1);
    expect(s.nodes.map((n) => [n.name, n.healthCode])).toEqual([
      ['node-1', 200],
      ['node-2', 429],
      ['node-3', 429],
    ]);
    expect(s.failover?.drNodes?.map((n) => [n.name, n.healthCode])).toEqual([['dr-node-1', 429]]);
  });
});

describe('collectStatus preview', () => {
  it('Given the DR region not answering, When a round runs with a preview, Then the primary rows are shown before the round ends, with the codes the nodes answered and nothing for the silent nodes', async () => {
    const { vault } = twoRegions();
    vault.state('dr-node-1').hangs = true;
    vault.state('dr-node-2').hangs = true;
    const events: string[] = [];
    const previews: ClusterStatus[] = [];
    const round = collectStatus(undefined, vault, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 300,
      preview: {
        afterMs: 20,
        show: (s) => {
          events.push('preview');
          previews.push(s);
        },
      },
    }).then((s) => {
      events.push('round');
      return s;
    });
    const s = await round;
    expect(events).toEqual(['preview', 'round']);
    const p = previews[0]!;
    expect(p.nodes.map((n) => [n.name, n.healthCode])).toEqual([
      ['node-1', 200],
      ['node-2', 429],
    ]);
    expect(p.failover?.drNodes).toEqual([]); // not yet heard: no row, not a made-up one
    expect(p.haLockHolder).toBeUndefined(); // asked only after the nodes
    expect(s.failover?.drNodes?.map((n) => n.reachable)).toEqual([false, false]);
    expect(s.haLockHolder).toBe('https://node-1:8200');
  });

  it('Given every node answering at once, When the round ends within the preview moment, Then no preview is drawn', async () => {
    const { vault } = twoRegions();
    const previews: ClusterStatus[] = [];
    await collectStatus(undefined, vault, undefined, new AbortController().signal, {
      preview: { afterMs: 60_000, show: (s) => previews.push(s) },
    });
    expect(previews).toEqual([]);
  });
});

describe('StatusPoller on a two-region cluster', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('Given both regions idle, When polled, Then the wait backs off to the maximum, a DR node that seals brings it back to the interval, and no round comes sooner', async () => {
    vi.useFakeTimers();
    const { vault, aws } = twoRegions();
    const awsCache = new AwsStatusCache(15_000, () => Date.now());
    let rounds = 0;
    const poller = new StatusPoller(
      (signal) => {
        rounds++;
        return collectStatus(profile, vault, aws, signal, { awsCache });
      },
      () => undefined,
      1000,
      { maxIntervalMs: 2000 },
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(poller.delayMs).toBe(2000); // the same twice: backed off
    await vi.advanceTimersByTimeAsync(2000);
    expect(poller.delayMs).toBe(2000);
    const before = rounds;
    await vi.advanceTimersByTimeAsync(1999);
    expect(rounds).toBe(before); // never sooner than the wait
    vault.crash('dr-node-2');
    await vi.advanceTimersByTimeAsync(1);
    expect(rounds).toBe(before + 1);
    expect(poller.delayMs).toBe(1000); // a DR change is a change
    poller.stop();
  });

  it('Given a preview option, When the first status has been shown, Then later rounds are not asked for previews', async () => {
    vi.useFakeTimers();
    const asked: boolean[] = [];
    const { vault } = twoRegions();
    const poller = new StatusPoller(
      (signal, preview) => {
        asked.push(preview !== undefined);
        return collectStatus(undefined, vault, undefined, signal, preview ? { preview } : {});
      },
      () => undefined,
      1000,
      { preview: { afterMs: 50, show: () => undefined } },
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3000);
    poller.stop();
    expect(asked.length).toBeGreaterThan(2);
    expect(asked).toEqual([true, ...Array(asked.length - 1).fill(false)]);
  });
});
