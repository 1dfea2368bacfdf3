import { throttle as original } from 'es-toolkit/compat';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle as alias } from './es-toolkit-compat.js';

/**
 * The bundle gives Ink this alias instead of the `es-toolkit/compat` barrel. Ink's use: its
 * render and log throttles, `throttle(fn, ms | undefined, { leading: true, trailing: true })`,
 * called bare, then `flush()` or `cancel()` on unmount. Each script below runs against both and
 * must record the same calls at the same (fake) times.
 */
type Throttle = typeof original;

function record(
  throttle: Throttle,
  wait: number | undefined,
  script: (t: ReturnType<Throttle>) => void,
) {
  const calls: [number, string][] = [];
  const start = Date.now();
  const t = throttle((x: string) => calls.push([Date.now() - start, x]), wait, {
    leading: true,
    trailing: true,
  });
  script(t);
  vi.advanceTimersByTime(1000);
  return calls;
}

describe('es-toolkit/compat alias for Ink', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('Given the alias, When compared with the barrel, Then it is the very same throttle', () => {
    expect(alias).toBe(original);
  });

  const scripts: Record<string, (t: ReturnType<Throttle>) => void> = {
    'a burst within the wait (leading call, one trailing call)': (t) => {
      t('a');
      t('b');
      vi.advanceTimersByTime(10);
      t('c');
    },
    'calls spread past the wait': (t) => {
      t('a');
      vi.advanceTimersByTime(40);
      t('b');
      vi.advanceTimersByTime(40);
      t('c');
    },
    'flush on unmount (the pending call runs now)': (t) => {
      t('a');
      t('b');
      t.flush();
    },
    'cancel on unmount (the pending call is dropped)': (t) => {
      t('a');
      t('b');
      t.cancel();
    },
  };
  for (const [name, script] of Object.entries(scripts))
    for (const wait of [34, undefined])
      it(`Given ${name} with a wait of ${String(wait)}, When run through the alias and the barrel, Then both make the same calls`, () => {
        const viaAlias = record(alias, wait, script);
        const viaBarrel = record(original, wait, script);
        expect(viaAlias).toEqual(viaBarrel);
        expect(viaAlias.length).toBeGreaterThan(0);
      });
});
