import { describe, expect, it } from 'vitest';
import { FakeVault } from '../test-support/fake-vault.js';
import { collectStatus, LeaderMemo } from './status.js';

const shares = ['aa11aa11', 'bb22bb22', 'cc33cc33', 'dd44dd44', 'ee55ee55'];

/** Three unsealed nodes, node-1 active; `leaderCalls` counts sys/leader asked of any node. */
function cluster(): { vault: FakeVault; leaderCalls: () => number } {
  const vault = FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2', 'node-3'] });
  return {
    vault,
    leaderCalls: () => vault.calls.filter((c) => c.startsWith('leader ')).length,
  };
}

describe('LeaderMemo', () => {
  it('Given a poller keeping lock holders, When the rows stay the same, Then sys/leader is asked once per max age and the holder is shown every round', async () => {
    const { vault, leaderCalls } = cluster();
    let now = 0;
    const leaders = new LeaderMemo(15_000, () => now);
    const holders: (string | undefined)[] = [];
    for (; now < 30_000; now += 2000) {
      const s = await collectStatus(undefined, vault, undefined, AbortSignal.timeout(1000), {
        leaders,
      });
      holders.push(s.haLockHolder);
    }
    expect(holders).toEqual(Array(15).fill('https://node-1:8200'));
    expect(leaderCalls()).toBe(2); // at 0 s and at 16 s
    expect(vault.calls.filter((c) => c.startsWith('health ')).length).toBe(45); // every round
  });

  it('Given a kept lock holder, When another node takes the lock, Then the round that reads the nodes shows the new holder', async () => {
    const { vault } = cluster();
    let now = 0;
    const leaders = new LeaderMemo(60_000, () => now);
    const collect = () =>
      collectStatus(undefined, vault, undefined, AbortSignal.timeout(1000), { leaders });
    await collect();
    now += 2000;
    expect((await collect()).haLockHolder).toBe('https://node-1:8200');
    vault.cluster.active = 'node-2'; // node-1 stepped down; node-2 answers 200 now
    now += 2000;
    const s = await collect();
    expect(s.nodes.find((n) => n.healthCode === 200)?.name).toBe('node-2');
    expect(s.haLockHolder).toBe('https://node-2:8200');
  });

  it('Given a kept lock holder, When the active node seals, Then the same round asks again and shows the new holder', async () => {
    const { vault } = cluster();
    let now = 0;
    const leaders = new LeaderMemo(60_000, () => now);
    const collect = () =>
      collectStatus(undefined, vault, undefined, AbortSignal.timeout(1000), { leaders });
    await collect();
    vault.crash('node-1');
    now += 2000;
    const s = await collect();
    expect(s.nodes[0]?.sealed).toBe(true);
    expect(s.haLockHolder).toBe('https://node-2:8200');
  });

  it('Given no node among the rows answers as the active one (the holder is not listed), When polled, Then sys/leader is asked every round', async () => {
    const { vault, leaderCalls } = cluster();
    const listed = vault.nodes().filter((n) => n.name !== 'node-1');
    vault.nodes = () => listed;
    let now = 0;
    const leaders = new LeaderMemo(60_000, () => now);
    for (; now < 10_000; now += 2000) {
      const s = await collectStatus(undefined, vault, undefined, AbortSignal.timeout(1000), {
        leaders,
      });
      expect(s.haLockHolder).toBe('https://node-1:8200');
    }
    expect(leaderCalls()).toBe(5);
  });
});
