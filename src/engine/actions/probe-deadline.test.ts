import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { probe } from './failover-common.js';
import type { ActionContext } from './types.js';

/** A call to a node that never answers: it settles only when its signal aborts. */
const silent = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });

describe('probe deadline', () => {
  it('Given a call that never answers and a garbage collection while it is awaited, When probed, Then its deadline still fires and the probe says so', async () => {
    // AbortSignal.any([parent, AbortSignal.timeout(ms)]) lost its timeout to this collection on
    // Node 20 (nodejs/node#57736) and the probe waited until the test timed out.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const ctx = { signal: new AbortController().signal } as ActionContext<unknown>;
    const p = probe(ctx, silent, 200);
    await new Promise((r) => setTimeout(r, 50));
    gc();
    expect(await p).toEqual({ ok: false, error: 'no answer within 0.2 s' });
  }, 10_000);
});
