import { describe, expect, it } from 'vitest';
import { replicationLag } from '../domain/cluster.js';
import { defaultCodeOf, roleOf } from '../domain/health.js';
import type { VaultNode, VaultPort } from '../engine/vault.js';
import { collectStatus, formatStatus } from './status.js';

const nodes: VaultNode[] = [
  { name: 'node-1', address: 'https://127.0.1.1:8200' },
  { name: 'node-2', address: 'https://127.0.1.2:8200' },
  { name: 'node-3', address: 'https://127.0.1.3:8200' },
];

function fakeVault(
  health: Record<string, { code: number; body: object } | 'hang' | 'down'>,
): VaultPort {
  const never = (signal: AbortSignal): Promise<never> =>
    new Promise((_r, reject) =>
      signal.addEventListener('abort', () => reject(new Error('timed out'))),
    );
  return {
    nodes: () => nodes,
    health: async (node, signal) => {
      const h = health[node.name];
      if (h === 'hang')
        return never(signal).catch((e: Error) => ({ reachable: false as const, error: e.message }));
      if (!h || h === 'down') return { reachable: false, error: 'connect ECONNREFUSED' };
      return { reachable: true, code: h.code, body: h.body };
    },
    sealStatus: () =>
      Promise.resolve({
        initialized: true,
        sealed: true,
        t: 3,
        n: 5,
        progress: 1,
        nonce: 'abcd-1234',
        version: '1.14.8',
      }),
    leader: () =>
      Promise.resolve({
        haEnabled: true,
        isSelf: true,
        leaderAddress: 'https://127.0.1.1:8200',
        leaderClusterAddress: '',
      }),
    init: () => Promise.reject(new Error('n/a')),
    unseal: () => Promise.reject(new Error('n/a')),
    unsealReset: () => Promise.reject(new Error('n/a')),
    seal: () => Promise.reject(new Error('n/a')),
    stepDown: () => Promise.reject(new Error('n/a')),
    request: () => Promise.reject(new Error('n/a')),
  };
}

describe('collectStatus', () => {
  it('Given a node that never answers, When status is collected, Then it shows unreachable and the others are not held up', async () => {
    const vault = fakeVault({
      'node-1': {
        code: 200,
        body: { initialized: true, sealed: false, standby: false, version: '1.14.8' },
      },
      'node-2': { code: 503, body: { initialized: true, sealed: true, version: '1.14.8' } },
      'node-3': 'hang',
    });
    const s = await collectStatus(undefined, vault, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 100,
    });
    expect(s.nodes.map((n) => [n.name, n.role, n.healthCode ?? null, n.reachable])).toEqual([
      ['node-1', 'active', 200, true],
      ['node-2', 'unknown', 503, true],
      ['node-3', 'unknown', null, false],
    ]);
    expect(s.nodes[1]?.progress).toEqual({ t: 3, n: 5, progress: 1, nonce: 'abcd-1234' });
    expect(s.haLockHolder).toBe('https://127.0.1.1:8200');
    expect(s.summary).toEqual({ sealed: 1, unsealed: 1, uninitialized: 0, unreachable: 1 });
    expect(formatStatus(s)).toMatch(/node-2 .* sealed 1\/3 nonce abcd-123/);
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
