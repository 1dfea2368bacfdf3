import type { Secret } from '../domain/secret.js';
import type { ClipboardClear, ClipboardPort } from '../engine/ports.js';

/**
 * An in-memory clipboard for unit tests. It passes the same contract suite as SystemClipboard
 * (src/adapters/clipboard.test.ts), so an action tested with it behaves the same for real.
 */
export class FakeClipboard implements ClipboardPort {
  /** What the clipboard holds now, as a paste would give it. */
  contents = '';
  /** When set, every read and write fails with this message (no display, xsel gone). */
  broken: string | undefined;
  readonly copies: { text: string; ms: number }[] = [];
  readonly clears: ClipboardClear[] = [];
  #pending: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  copy(secret: Secret, clearAfterMs: number): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(new Error(this.broken));
    const text = secret.reveal();
    this.contents = text;
    this.#pending = text;
    this.copies.push({ text, ms: clearAfterMs });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.clear(), clearAfterMs);
    this.#timer.unref();
    return Promise.resolve();
  }

  clear(): Promise<ClipboardClear> {
    const r = this.#clear();
    if (r.kind !== 'nothing') this.clears.push(r);
    return Promise.resolve(r);
  }

  #clear(): ClipboardClear {
    const text = this.#pending;
    if (text === undefined) return { kind: 'nothing' };
    if (this.broken !== undefined) return { kind: 'failed', error: this.broken };
    this.#pending = undefined;
    clearTimeout(this.#timer);
    if (this.contents !== text) return { kind: 'changed' };
    this.contents = '';
    return { kind: 'cleared' };
  }
}
