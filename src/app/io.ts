/** Where a command writes: the process's streams in production, buffers in tests. */
export interface Writable {
  write(s: string): unknown;
}

/**
 * What a CLI verb gets from the process. It lives here, below both cli/ and sandbox/, so the
 * sandbox's commands can take it without importing the CLI that registers them.
 */
export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTTY: boolean;
}

export function isTTY(w: Writable): boolean {
  return Boolean((w as { isTTY?: boolean }).isTTY);
}
