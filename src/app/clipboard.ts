import type { ClipboardPort } from '../engine/ports.js';
import { SystemClipboard } from '../adapters/clipboard.js';

/**
 * The terminal's clipboard, for the TUI only (a headless run never copies a share): its own
 * module so that no other command loads the clipboard library.
 */
export function systemClipboard(): ClipboardPort {
  return new SystemClipboard();
}
