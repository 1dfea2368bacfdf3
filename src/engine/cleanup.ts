import { errorMessage } from '../domain/errors.js';

/**
 * Best-effort cleanup that says what actually happened (STYLE 11): "done" only after the call
 * succeeded, otherwise the reason and what a person does by hand. Never throws: a cleanup runs
 * while another error is on its way out, and must not replace it.
 */
export interface Cleanup {
  /** What is being done, as a verb phrase: "revoke the new root token". */
  readonly what: string;
  /** What to say once it worked: "the new root token was revoked". */
  readonly done: string;
  /** The command or step that does it by hand, when it fails. */
  readonly byHand?: string;
  run(): Promise<unknown>;
}

export type CleanupResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

/** Where a cleanup reports: an action's context. */
export interface CleanupLog {
  log(line: string, stream?: 'stdout' | 'stderr' | 'info'): void;
}

export async function cleanup(c: Cleanup, to: CleanupLog): Promise<CleanupResult> {
  try {
    await c.run();
    to.log(c.done, 'stderr');
    return { ok: true, message: c.done };
  } catch (err) {
    const message = `${c.what} failed: ${errorMessage(err)}${c.byHand ? ` — ${c.byHand}` : ''}`;
    to.log(message, 'stderr');
    return { ok: false, message };
  }
}

/** Cleanup runs after an abort too, so it cannot use the step's (aborted) signal. */
export const cleanupSignal = (): AbortSignal => AbortSignal.timeout(10_000);
