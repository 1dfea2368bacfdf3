import { describe, expect, it } from 'vitest';
import { Secret } from '../domain/secret.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { toClusterView } from '../ui/cluster-view.js';
import { collectStatus, formatStatus } from './status.js';

const shares = ['aa11aa11', 'bb22bb22', 'cc33cc33'];

describe('collectStatus with DR nodes', () => {
  it('Given the primary down and DR nodes unsealed or half-unsealed, When status is collected, Then each DR node has its seal state, progress, version and HA role, and the DR lock holder is named', async () => {
    const v = FakeVault.unsealedWith(shares, 2, {
      nodes: ['node-1'],
      drNodes: ['dr-node-1', 'dr-node-2'],
      version: '1.14.8',
    });
    v.state('node-1').down = true;
    v.crash('node-1');
    v.crash('dr-node-2');
    await v.unseal(v.drNodes()[1]!, new Secret('aa11aa11'), AbortSignal.timeout(1000));
    const s = await collectStatus(undefined, v, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 100,
    });
    const dr = s.failover?.drNodes ?? [];
    expect(dr.map((n) => [n.name, n.version, n.sealed, n.role, n.healthCode])).toEqual([
      ['dr-node-1', '1.14.8', false, 'active', 200],
      ['dr-node-2', '1.14.8', true, 'unknown', 503],
    ]);
    expect(dr[1]?.progress).toMatchObject({ t: 2, progress: 1 });
    expect(s.failover?.drLeader).toBe('https://dr-node-1:8200');
    expect(s.haLockHolder).toBeUndefined();
    const view = toClusterView(s);
    expect(view.dr?.nodes.map((n) => n.name)).toEqual(['dr-node-1', 'dr-node-2']);
    expect(formatStatus(s)).toMatch(/DR nodes: dr-node-1 200, dr-node-2 503/);
    expect(formatStatus(s)).toContain('DR HA lock holder: https://dr-node-1:8200');
  });

  it('Given a profile without DR nodes, When status is collected, Then there is no failover section and the pane has no DR view', async () => {
    const v = FakeVault.unsealedWith(shares, 2, { nodes: ['node-1'] });
    const s = await collectStatus(undefined, v, undefined, new AbortController().signal, {
      perNodeTimeoutMs: 100,
    });
    expect(s.failover).toBeUndefined();
    expect(toClusterView(s).dr).toBeUndefined();
  });
});
