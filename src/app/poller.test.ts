import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterStatus } from '../domain/cluster.js';
import { StatusPoller } from './status.js';

function status(sealed: number, at: string): ClusterStatus {
  return {
    profile: 'test',
    updatedAt: at,
    nodes: [],
    regions: [],
    summary: { sealed, unsealed: 0, uninitialized: 0, unreachable: 0 },
  };
}

/** A poller on a fake clock; `sealed` is what the cluster reports on the next round. */
function pollerOnFakeClock(opts: {
  intervalMs: number;
  maxIntervalMs?: number;
  onlyChanges?: { refreshMs: number };
}) {
  vi.useFakeTimers();
  const state = { sealed: 0, rounds: 0, fail: false, updates: 0 };
  const poller = new StatusPoller(
    () => {
      state.rounds++;
      if (state.fail) return Promise.reject(new Error('unreachable'));
      // The time of each read differs; only what it says about the cluster counts as a change.
      return Promise.resolve(status(state.sealed, new Date().toISOString()));
    },
    () => void state.updates++,
    opts.intervalMs,
    {
      ...(opts.maxIntervalMs !== undefined ? { maxIntervalMs: opts.maxIntervalMs } : {}),
      ...(opts.onlyChanges ? { onlyChanges: opts.onlyChanges } : {}),
    },
  );
  return { poller, state };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('StatusPoller', () => {
  it('Given a cluster that does not change, When polled, Then the wait doubles up to the maximum and never drops below the interval', async () => {
    const { poller, state } = pollerOnFakeClock({ intervalMs: 1000, maxIntervalMs: 4000 });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.rounds).toBe(1);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = state.rounds;
      const wait = poller.delayMs;
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(state.rounds).toBe(before); // not a round earlier than the wait
      await vi.advanceTimersByTimeAsync(1);
      expect(state.rounds).toBe(before + 1);
      waits.push(wait);
    }
    poller.stop();
    expect(waits).toEqual([1000, 2000, 4000, 4000, 4000]);
  });

  it('Given an idle poller, When the cluster changes, Then the next round comes after the interval again', async () => {
    const { poller, state } = pollerOnFakeClock({ intervalMs: 1000, maxIntervalMs: 8000 });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(poller.delayMs).toBe(8000);
    state.sealed = 1; // a node sealed
    await vi.advanceTimersByTimeAsync(8000);
    expect(poller.delayMs).toBe(1000);
    state.fail = true; // a failed round is retried after the interval, not later
    await vi.advanceTimersByTimeAsync(1000);
    expect(poller.delayMs).toBe(1000);
    poller.stop();
  });

  it('Given an interval that is not a positive number, When a poller is made, Then it refuses (no busy loop)', () => {
    const collect = (): Promise<ClusterStatus> => Promise.resolve(status(0, ''));
    for (const bad of [Number.NaN, 0, -5, Infinity])
      expect(() => new StatusPoller(collect, () => undefined, bad)).toThrow(RangeError);
  });

  it('Given a screen that asks for changes only, When the cluster stays the same, Then the store is not updated again until the refresh time, and a change is shown at once', async () => {
    const { poller, state } = pollerOnFakeClock({
      intervalMs: 1000,
      maxIntervalMs: 2000,
      onlyChanges: { refreshMs: 15_000 },
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.updates).toBe(1); // the first round is always shown
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.rounds).toBeGreaterThan(4);
    expect(state.updates).toBe(1); // same cluster, only the time of the read differs
    state.sealed = 1;
    const rounds = state.rounds;
    await vi.advanceTimersByTimeAsync(2000);
    expect(state.rounds).toBeGreaterThan(rounds);
    expect(state.updates).toBe(2); // the change, on the next round
    await vi.advanceTimersByTimeAsync(15_000);
    expect(state.updates).toBe(3); // unchanged, but the shown time is moved on after 15 s
    poller.stop();
  });

  it('Given no changes-only option (status --watch), When the cluster stays the same, Then every round is passed on', async () => {
    const { poller, state } = pollerOnFakeClock({ intervalMs: 1000, maxIntervalMs: 1000 });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.updates).toBe(state.rounds);
    expect(state.rounds).toBe(6);
    poller.stop();
  });
});
