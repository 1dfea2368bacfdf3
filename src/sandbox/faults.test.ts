import { describe, expect, it } from 'vitest';
import { runFault, type FaultContext } from './faults.js';
import { layout } from './layout.js';

const l = layout({ VAULT_RUNBOOK_SANDBOX_SLOT: '7', XDG_STATE_HOME: '/tmp/x', HOME: '/tmp/x' });

/** Only what region-down touches: the calls it makes are recorded. */
function ctx(): { c: FaultContext; calls: unknown[] } {
  const calls: unknown[] = [];
  const c = {
    l,
    signal: AbortSignal.timeout(5_000),
    isRegionDown: () => false,
    log: () => undefined,
    regionDown: (opts?: unknown) => {
      calls.push(opts);
      return Promise.resolve();
    },
    regionUp: () => Promise.resolve(),
  } as unknown as FaultContext;
  return { c, calls };
}

describe('fault region-down variants', () => {
  it('Given apis-down, When region-down runs, Then the region goes down with its AWS APIs and S3, and the message says Route 53 still answers', async () => {
    const { c, calls } = ctx();
    const r = await runFault(c, 'region-down', 'apis-down');
    expect(calls).toEqual([{ keepS3: false, apisDown: true }]);
    expect(r).toMatchObject({ ok: true });
    expect(r.message).toMatch(/AWS APIs.*Route 53, global, answers/);
  });
  it('Given no variant or s3-up, When region-down runs, Then the AWS APIs stay up', async () => {
    const { c, calls } = ctx();
    await runFault(c, 'region-down', undefined);
    await runFault(c, 'region-down', 's3-up');
    expect(calls).toEqual([
      { keepS3: false, apisDown: false },
      { keepS3: true, apisDown: false },
    ]);
  });
  it('Given an unknown variant, When region-down runs, Then it is a usage error naming the variants and nothing goes down', async () => {
    const { c, calls } = ctx();
    const r = await runFault(c, 'region-down', 'apis');
    expect(r).toMatchObject({ ok: false, usage: true });
    expect(r.error).toMatch(/s3-up.*apis-down/);
    expect(calls).toEqual([]);
  });
});
