import { describe, expect, it } from 'vitest';
import type { RegionStatus } from '../domain/cluster.js';
import type { FailoverStatus } from '../domain/failover.js';
import { formatFailoverStatus, primaryAsgWhileDr } from './failover-status.js';

const dns = (region: 'primary' | 'dr' | 'unknown'): FailoverStatus['dns'] => ({
  record: 'vault.example.com',
  values: [region === 'dr' ? 'dr-lb.example.com' : 'primary-lb.example.com'],
  region,
});

/** The primary region's row as the status's cached AWS round reads it. */
const primary = (desired: number, error?: string): RegionStatus => ({
  name: 'primary',
  region: 'us-east-1',
  asg: { name: 'vault-primary', desired, inService: desired, ...(error ? { error } : {}) },
});

describe('primaryAsgWhileDr: the primary ASG while DR serves', () => {
  it('Given DNS on DR and the primary ASG still wanting 3 (a fence that could not scale it), When status is collected, Then it says so and status prints a warning naming region-failback', () => {
    const stray = primaryAsgWhileDr(dns('dr'), primary(3));
    expect(stray).toEqual({ asg: 'vault-primary', desired: 3 });
    const lines = formatFailoverStatus({
      dns: dns('dr'),
      ...(stray ? { primaryAsgWhileDr: stray } : {}),
    });
    expect(lines).toContain(
      "  WARNING: the primary ASG vault-primary wants 3 instance(s) while DNS names DR: they boot sealed on the primary's old data and must never be unsealed; region-failback scales it to 0 first",
    );
  });

  it('Given DNS on DR and the primary ASG at 0, When status is collected, Then there is nothing to warn about', () => {
    expect(primaryAsgWhileDr(dns('dr'), primary(0))).toBeUndefined();
    expect(formatFailoverStatus({ dns: dns('dr') }).join('\n')).not.toContain('WARNING');
  });

  it('Given DNS on the primary (or pointing elsewhere), When status is collected, Then the primary ASG size is the normal state', () => {
    expect(primaryAsgWhileDr(dns('primary'), primary(3))).toBeUndefined();
    expect(primaryAsgWhileDr(dns('unknown'), primary(3))).toBeUndefined();
    expect(primaryAsgWhileDr(undefined, primary(3))).toBeUndefined();
  });

  it('Given DNS on DR and the primary Auto Scaling API not answering, When status is collected, Then no warning (its own row shows the error)', () => {
    expect(primaryAsgWhileDr(dns('dr'), primary(0, 'connect ECONNRESET'))).toBeUndefined();
    expect(primaryAsgWhileDr(dns('dr'), undefined)).toBeUndefined();
  });
});
