import { errorMessage } from '../domain/errors.js';
import type { Secret } from '../domain/secret.js';
import type { ClipboardClear, ClipboardPort } from '../engine/ports.js';

/** The system clipboard as clipboardy reaches it (xsel, wl-clipboard, pbcopy…). */
export interface ClipboardBackend {
  read(): Promise<string>;
  write(text: string): Promise<void>;
  readSync(): string;
  writeSync(text: string): void;
}

/**
 * Copies a share for a keyholder and takes it back: when the action says so (the keyholder
 * proved it, the step ended or was aborted), after the delay, and at process exit, so a share
 * never outlives the tool. Each clear first compares: what someone copied since is left alone.
 */
export class SystemClipboard implements ClipboardPort {
  /**
   * clipboardy, imported at the first copy: with its own execa it is ≈ 120 modules, which a run
   * that never copies (and the TUI's home screen, which loads what a run needs in the background)
   * has no use for. A secret is pending only after a copy, so every clear finds it loaded.
   */
  #backend: ClipboardBackend | undefined;
  readonly #report: (line: string) => void;
  #pending: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Clears run one at a time: the timer and an explicit clear must not interleave. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onExit = (): void => this.#clearAtExit();

  constructor(
    opts: {
      backend?: ClipboardBackend;
      /** Where the exit-time clear says what it did (the TUI is gone by then). */
      report?: (line: string) => void;
    } = {},
  ) {
    this.#backend = opts.backend;
    this.#report = opts.report ?? ((l) => process.stderr.write(`${l}\n`));
  }

  async copy(secret: Secret, clearAfterMs: number): Promise<void> {
    this.#backend ??= (await import('clipboardy')).default;
    const text = secret.reveal();
    await this.#backend.write(text);
    this.#pending = text;
    clearTimeout(this.#timer);
    // A failed timed clear keeps the text pending, so the exit-time clear tries again and says so.
    this.#timer = setTimeout(() => void this.clear(), clearAfterMs);
    this.#timer.unref();
    process.off('exit', this.#onExit);
    process.once('exit', this.#onExit);
  }

  clear(): Promise<ClipboardClear> {
    const next = this.#queue.then(() => this.#clearNow());
    this.#queue = next;
    return next;
  }

  async #clearNow(): Promise<ClipboardClear> {
    const text = this.#pending;
    const backend = this.#backend;
    if (text === undefined || !backend) return { kind: 'nothing' };
    try {
      if ((await backend.read()) !== text) {
        this.#settled();
        return { kind: 'changed' };
      }
      await backend.write('');
      // Read back: "cleared" is said only when the clipboard no longer holds it.
      if ((await backend.read()) === text)
        return { kind: 'failed', error: 'the clipboard still holds it after clearing' };
      this.#settled();
      return { kind: 'cleared' };
    } catch (err) {
      return { kind: 'failed', error: errorMessage(err) };
    }
  }

  #settled(): void {
    this.#pending = undefined;
    clearTimeout(this.#timer);
    process.off('exit', this.#onExit);
  }

  /** The last chance, at process exit: synchronous, since nothing async runs after 'exit'. */
  clearSync(): ClipboardClear {
    const text = this.#pending;
    const backend = this.#backend;
    if (text === undefined || !backend) return { kind: 'nothing' };
    try {
      if (backend.readSync() !== text) {
        this.#settled();
        return { kind: 'changed' };
      }
      backend.writeSync('');
      if (backend.readSync() === text)
        return { kind: 'failed', error: 'the clipboard still holds it after clearing' };
      this.#settled();
      return { kind: 'cleared' };
    } catch (err) {
      return { kind: 'failed', error: errorMessage(err) };
    }
  }

  #clearAtExit(): void {
    const r = this.clearSync();
    if (r.kind === 'cleared')
      this.#report(
        'vault-runbook: cleared the clipboard (it still held a secret copied during the run)',
      );
    else if (r.kind === 'failed')
      this.#report(
        `vault-runbook: could not clear the clipboard (${r.error}): it may still hold a secret copied during the run — clear it by hand`,
      );
  }
}
