import { describe, expect, it } from 'vitest';
import { replicationLagWithin } from '../domain/cluster.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import { FakeAws } from '../test-support/fake-aws.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { toClusterView } from '../ui/cluster-view.js';
import { regionLine, replicationCell } from '../ui/status/format.js';
import { REPLICATION_LISTING_CAP } from './status-aws.js';
import { collectStatus } from './status.js';

const profile = {
  name: 'p',
  vault: { addresses: ['https://node-1:8200'] },
  aws: { region: 'r1', dr_region: 'r2', data_bucket: 'data', dr_data_bucket: 'data-dr' },
} as unknown as Profile;

/** Records every S3 listing the status asks for, with the cap it asked for. */
function recording(fake: FakeAws): { aws: AwsPort; calls: string[] } {
  const calls: string[] = [];
  const aws = Object.assign(Object.create(fake) as AwsPort, {
    listObjects: (b: string, r: string, s: AbortSignal, o?: { maxKeys?: number }) => {
      calls.push(`listObjects ${b} max ${o?.maxKeys ?? '∞'}`);
      return fake.listObjects(b, r, s, o);
    },
    listObjectVersions: (b: string, r: string, s: AbortSignal, p?: string) => {
      calls.push(`listObjectVersions ${b}`);
      return fake.listObjectVersions(b, r, s, p);
    },
  });
  return { aws, calls };
}

const collect = (aws: AwsPort) =>
  collectStatus(
    profile,
    FakeVault.unsealedWith(['aa'], 1, { nodes: ['node-1'] }),
    aws,
    AbortSignal.timeout(5000),
    { now: () => new Date('2026-01-01T01:00:00Z') },
  );

describe('replication lag in the status', () => {
  it('Given keys rewritten many times, When the status is collected, Then it lists current objects once per bucket, never the versions, and counts only the unreplicated newest write', async () => {
    const fake = new FakeAws();
    for (let i = 0; i < 500; i++) {
      fake.put('data', 'core/lock', `w${i}`);
      fake.put('data-dr', 'core/lock', `w${i}`);
    }
    fake.put('data', 'logical/a', 'new'); // not yet in DR
    const { aws, calls } = recording(fake);
    const s = await collect(aws);
    expect(calls.sort()).toEqual([
      `listObjects data max ${REPLICATION_LISTING_CAP}`,
      `listObjects data-dr max ${REPLICATION_LISTING_CAP}`,
    ]);
    expect(s.replication).toMatchObject({ pendingObjects: 1 });
    expect(s.replication?.cappedAt).toBeUndefined();
    const dr = toClusterView(s).dr;
    expect(dr && replicationCell(dr)?.text).toMatch(
      /^replication primary → DR: 1 object\(s\) pending, oldest \d+ s$/,
    );
  });

  it('Given a primary with more keys than the cap, When the status is collected, Then it reports a lower bound and says the rest is unknown', async () => {
    const fake = new FakeAws();
    const n = REPLICATION_LISTING_CAP + 5;
    for (let i = 0; i < n; i++) {
      const key = `logical/${String(i).padStart(6, '0')}`;
      fake.put('data', key, 'x');
      if (i % 2 === 0) fake.put('data-dr', key, 'x'); // every odd key is pending
    }
    const s = await collect(recording(fake).aws);
    // The first 10 000 primary keys are compared (5 000 odd ones pending); the 5 past the cap
    // are not counted, and the status says so rather than claiming a total.
    expect(s.replication).toMatchObject({
      pendingObjects: REPLICATION_LISTING_CAP / 2,
      cappedAt: REPLICATION_LISTING_CAP,
    });
    const view = toClusterView(s);
    expect(view.dr && replicationCell(view.dr)?.text).toBe(
      `replication primary → DR: ≥ 5000 object(s) pending, oldest ≥ ${s.replication?.lagSeconds} s, unknown beyond the first 10000 keys (listing capped at 10000 per bucket)`,
    );
    expect(regionLine(view.regions[0]!)).toContain('replication lag ≥');
  });
});

describe('replicationLagWithin', () => {
  const o = (key: string, etag = 'e') => ({ key, etag, lastModified: '2026-01-01T00:00:00Z' });
  const now = new Date('2026-01-01T00:01:00Z');

  it('Given a DR listing that stopped before the primary one, When compared, Then primary keys past DR’s last key are not called pending', () => {
    const primary = { objects: [o('a'), o('b'), o('c')], truncated: true };
    const dr = { objects: [o('a'), o('b', 'old')], truncated: true };
    // a replicated, b behind; c sorts past DR's last key: unknown, not pending.
    expect(replicationLagWithin(primary, dr, now, 3)).toEqual({
      lagSeconds: 60,
      pendingObjects: 1,
      cappedAt: 3,
    });
  });

  it('Given complete listings, When compared, Then the exact count with no cap mark', () => {
    const primary = { objects: [o('a'), o('b')], truncated: false };
    const dr = { objects: [o('a')], truncated: false };
    expect(replicationLagWithin(primary, dr, now, 3)).toEqual({
      lagSeconds: 60,
      pendingObjects: 1,
    });
  });
});
