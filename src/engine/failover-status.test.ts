import { describe, expect, it } from 'vitest';
import type { Profile } from '../domain/schema.js';
import { FakeVault } from '../test-support/fake-vault.js';
import type { AsgDescription, AwsPort, FailoverAwsPort } from './aws.js';
import type { NodeStatus } from '../domain/cluster.js';
import { failoverStatus, formatFailoverStatus } from './failover-status.js';

const profile = {
  name: 'prod',
  vault: { addresses: ['https://node-1:8200'] },
  aws: {
    region: 'us-east-1',
    asg: 'vault-primary',
    dr_region: 'us-west-2',
    dr_asg: 'vault-dr',
    route53: {
      zone_id: 'Z1',
      record: 'vault.example.com',
      primary_value: 'primary-lb.example.com',
      dr_value: 'dr-lb.example.com',
    },
  },
} as unknown as Profile;

/** Route 53 naming `target`; the primary ASG at `desired` (or its API not answering). */
function aws(target: string, desired: number | Error) {
  const calls: string[] = [];
  const port = {
    dnsRecord: () =>
      Promise.resolve({ name: 'vault.example.com', type: 'CNAME', ttl: 60, values: [target] }),
    describeAsg: (name: string, region: string): Promise<AsgDescription> => {
      calls.push(`${name}@${region}`);
      if (desired instanceof Error) return Promise.reject(desired);
      return Promise.resolve({ name, desired, min: 0, max: 3, instances: [] });
    },
  } as unknown as AwsPort & Partial<FailoverAwsPort>;
  return { port, calls };
}

const collect = (a: AwsPort & Partial<FailoverAwsPort>) =>
  failoverStatus(
    profile,
    FakeVault.unsealedWith(['aa11'], 1, { nodes: ['node-1'] }),
    a,
    () => AbortSignal.timeout(1_000),
    (n) => Promise.resolve({ name: n.name } as NodeStatus),
  );

describe('failoverStatus: the primary ASG while DR serves', () => {
  it('Given DNS on DR and the primary ASG still wanting 3 (a fence that could not scale it), When status is collected, Then it says so and status prints a warning naming region-failback', async () => {
    const s = await collect(aws('dr-lb.example.com', 3).port);
    expect(s.primaryAsgWhileDr).toEqual({ asg: 'vault-primary', desired: 3 });
    const lines = formatFailoverStatus(s);
    expect(lines).toContain(
      "  WARNING: the primary ASG vault-primary wants 3 instance(s) while DNS names DR: they boot sealed on the primary's old data and must never be unsealed; region-failback scales it to 0 first",
    );
  });

  it('Given DNS on DR and the primary ASG at 0, When status is collected, Then there is nothing to warn about', async () => {
    const s = await collect(aws('dr-lb.example.com', 0).port);
    expect(s.primaryAsgWhileDr).toBeUndefined();
    expect(formatFailoverStatus(s).join('\n')).not.toContain('WARNING');
  });

  it('Given DNS on the primary, When status is collected, Then the primary ASG is not read for this (its size is the normal state)', async () => {
    const a = aws('primary-lb.example.com', 3);
    const s = await collect(a.port);
    expect(s.primaryAsgWhileDr).toBeUndefined();
    expect(a.calls).toEqual([]);
  });

  it('Given DNS on DR and the primary Auto Scaling API not answering, When status is collected, Then no warning and no throw', async () => {
    const s = await collect(aws('dr-lb.example.com', new Error('connect ECONNRESET')).port);
    expect(s.dns?.region).toBe('dr');
    expect(s.primaryAsgWhileDr).toBeUndefined();
  });
});
