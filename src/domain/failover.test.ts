import { describe, expect, it } from 'vitest';
import {
  automatedSeconds,
  failbackPlan,
  newestVersion,
  replicationGaps,
  type BucketVersion,
} from './failover.js';

const v = (
  key: string,
  versionId: string,
  etag: string | undefined,
  opts: { latest?: boolean; at?: string; del?: boolean } = {},
): BucketVersion => ({
  key,
  versionId,
  isLatest: opts.latest ?? true,
  lastModified: opts.at ?? '2024-01-01T00:00:00.000Z',
  ...(etag ? { etag } : {}),
  deleteMarker: opts.del ?? false,
});

describe('replication gaps (failover assessment)', () => {
  it('Given DR copies with the same content under new version ids, When compared, Then they are in sync', () => {
    expect(replicationGaps([v('a', 'p1', 'e1')], [v('a', 'd1', 'e1')])).toEqual([]);
  });
  it('Given a key DR lacks and one it holds older, When compared, Then both are named with both versions', () => {
    const gaps = replicationGaps(
      [v('a', 'p2', 'e2'), v('a', 'p1', 'e1', { latest: false }), v('b', 'p3', 'e3')],
      [v('a', 'd1', 'e1')],
    );
    expect(gaps).toEqual([
      expect.objectContaining({ key: 'a', primaryVersion: 'p2', drVersion: 'd1' }),
      expect.objectContaining({ key: 'b', primaryVersion: 'p3', drVersion: 'missing' }),
    ]);
  });
  it('Given a delete on the primary DR has not seen, When compared, Then it is a gap', () => {
    expect(replicationGaps([v('a', 'm1', undefined, { del: true })], [v('a', 'd1', 'e1')])).toEqual(
      [{ key: 'a', primaryVersion: 'deleted', drVersion: 'd1' }],
    );
  });
  it('Given versions, When the newest is asked, Then the latest modification wins', () => {
    expect(
      newestVersion([
        v('a', '1', 'x', { at: '2024-01-01T00:00:01Z' }),
        v('b', '2', 'y', { at: '2024-01-01T00:00:03Z' }),
      ])?.key,
    ).toBe('b');
  });
});

describe('failback plan', () => {
  it('Given writes on DR, a primary write that never replicated and a primary-only key, When planned, Then DR is copied, the primary-only key retired, and the lost writes reported', () => {
    const primary = [
      v('same', 'p1', 'e1'),
      v('changed', 'p2', 'e2'), // replicated as d2, then DR wrote d3
      v('lostkey', 'p4', 'e4new'), // DR holds only the older e4old
      v('lostkey', 'p3', 'e4old', { latest: false }),
      v('primary-only', 'p5', 'e5'),
    ];
    const dr = [
      v('same', 'd1', 'e1'),
      v('changed', 'd3', 'e3'),
      v('changed', 'd2', 'e2', { latest: false }),
      v('lostkey', 'd4', 'e4old'),
      v('dr-only', 'd5', 'e6'),
    ];
    const p = failbackPlan(primary, dr);
    expect(p.lost.map((x) => [x.key, x.primaryVersion, x.drNow])).toEqual([
      ['lostkey', 'p4', 'd4'],
      ['primary-only', 'p5', 'missing'],
    ]);
    expect(p.changes.map((c) => [c.op, c.key])).toEqual([
      ['copy', 'changed'],
      ['copy', 'dr-only'],
      ['copy', 'lostkey'],
      ['retire', 'primary-only'],
    ]);
  });
  it('Given both buckets agree, When planned again, Then there is nothing to change (a resumed sync does nothing)', () => {
    const p = failbackPlan([v('a', 'p9', 'e1')], [v('a', 'd1', 'e1')]);
    expect(p).toEqual({ lost: [], changes: [] });
  });
  it('Given a key DR deleted, When planned, Then the primary copy is retired', () => {
    const p = failbackPlan(
      [v('a', 'p1', 'e1')],
      [v('a', 'm', undefined, { del: true }), v('a', 'd1', 'e1', { latest: false })],
    );
    expect(p.changes).toEqual([{ key: 'a', op: 'retire', primaryVersion: 'p1' }]);
    expect(p.lost).toEqual([]);
  });
});

describe('automated part of a failover', () => {
  it('Given 100 s from declaration to serving with 40 s of share entry, When measured, Then 60 s are automated', () => {
    expect(
      automatedSeconds('2024-01-01T00:00:00.000Z', '2024-01-01T00:01:40.000Z', [30_000, 10_000]),
    ).toEqual({ total: 100, human: 40, automated: 60 });
  });
});
