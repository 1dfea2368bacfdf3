import clipboard from 'clipboardy';
import type { ClipboardPort } from '../engine/ports.js';

/**
 * Copies a share for a keyholder and takes it back: cleared after the delay if the clipboard
 * still holds it, and at process exit whatever the delay, so a share never outlives the tool.
 */
export class SystemClipboard implements ClipboardPort {
  #pending: string | undefined;
  constructor() {
    process.once('exit', () => this.#clearSync());
  }
  async copy(text: string, clearAfterMs: number): Promise<void> {
    await clipboard.write(text);
    this.#pending = text;
    const t = setTimeout(() => void this.#clear(text), clearAfterMs);
    t.unref();
  }
  async #clear(text: string): Promise<void> {
    try {
      if ((await clipboard.read()) === text) await clipboard.write('');
    } catch {
      // no clipboard (SSH session): nothing was copied either
    }
    if (this.#pending === text) this.#pending = undefined;
  }
  #clearSync(): void {
    if (this.#pending === undefined) return;
    try {
      if (clipboard.readSync() === this.#pending) clipboard.writeSync('');
    } catch {
      // nothing to clear
    }
  }
}
