import { describe, expect, it, vi } from 'vitest';
import { Secret } from '../domain/secret.js';
import type { ClipboardPort } from '../engine/ports.js';

/** The clipboard as the world sees it, beside the port under test. */
export interface ClipboardWorld {
  readonly port: ClipboardPort;
  /** What a paste gives now. */
  peek(): Promise<string>;
  /** Someone copies something else. */
  copyElsewhere(text: string): Promise<void>;
  /** The clipboard stops answering (display gone). */
  breakIt(): Promise<void>;
}

/** What every ClipboardPort must do, run against the fake and the system adapter alike. */
export function clipboardContract(name: string, make: () => Promise<ClipboardWorld>): void {
  const share = 'hvs.contract-share-0123456789';
  const long = 3_600_000;
  describe(`ClipboardPort contract: ${name}`, () => {
    it('Given a copied share, When it is cleared, Then the clipboard is empty and the clear says cleared', async () => {
      const w = await make();
      await w.port.copy(new Secret(share), long);
      expect(await w.peek()).toBe(share);
      expect(await w.port.clear()).toEqual({ kind: 'cleared' });
      expect(await w.peek()).toBe('');
    });

    it('Given someone copied something else since, When clearing, Then their text stays and the clear says changed', async () => {
      const w = await make();
      await w.port.copy(new Secret(share), long);
      await w.copyElsewhere('a url someone copied');
      expect(await w.port.clear()).toEqual({ kind: 'changed' });
      expect(await w.peek()).toBe('a url someone copied');
    });

    it('Given nothing was copied, or it was already cleared, When clearing, Then the clear says nothing and touches nothing', async () => {
      const w = await make();
      await w.copyElsewhere('unrelated');
      expect(await w.port.clear()).toEqual({ kind: 'nothing' });
      await w.port.copy(new Secret(share), long);
      await w.port.clear();
      await w.copyElsewhere('later');
      expect(await w.port.clear()).toEqual({ kind: 'nothing' });
      expect(await w.peek()).toBe('later');
    });

    it('Given the clipboard stopped answering, When clearing, Then the clear says failed with the reason, never cleared', async () => {
      const w = await make();
      await w.port.copy(new Secret(share), long);
      await w.breakIt();
      const r = await w.port.clear();
      expect(r.kind).toBe('failed');
      expect(r.kind === 'failed' && r.error.length > 0).toBe(true);
    });

    it('Given a short clear delay, When nobody clears, Then the share is gone from the clipboard by itself', async () => {
      const w = await make();
      await w.port.copy(new Secret(share), 1);
      await vi.waitFor(async () => expect(await w.peek()).toBe(''), { timeout: 10_000 });
      expect(await w.port.clear()).toEqual({ kind: 'nothing' });
    });
  });
}
