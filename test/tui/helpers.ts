import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';

export type Term = ReturnType<typeof render>;
type Stdin = Term['stdin'];

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  space: ' ',
  backspace: '\u007F',
  escape: '\u001B',
  ctrlC: '\u0003',
} as const;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;

export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(ANSI, '');
}

// press() takes only stdin, as in the house style; the frame it waits on is found from it.
const terms = new WeakMap<Stdin, Term>();

/** ink-testing-library's render, remembered so that press(stdin, key) can watch its frames. */
export function renderTerm(tree: ReactElement): Term {
  const term = render(tree);
  terms.set(term.stdin, term);
  return term;
}

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Writes one key and waits (up to 2 s) for the frame to change; returns the new frame, plain. */
export async function press(stdin: Stdin, key: string, timeoutMs = 2000): Promise<string> {
  const term = terms.get(stdin);
  if (!term) throw new Error('press(): render with renderTerm() first');
  const before = term.lastFrame();
  stdin.write(key);
  await until(
    () => term.lastFrame() !== before,
    timeoutMs,
    () => `the frame to change after ${JSON.stringify(key)}; it is still:\n${plain(before)}`,
  );
  return plain(term.lastFrame());
}

/** Types text one character at a time, each waiting for its frame. */
export async function type(stdin: Stdin, text: string): Promise<string> {
  let frame = '';
  for (const ch of text) frame = await press(stdin, ch);
  return frame;
}

/** Waits until the last frame contains `text` (or satisfies a predicate); returns it, plain. */
export async function waitForFrame(
  term: Pick<Term, 'lastFrame'>,
  want: string | ((frame: string) => boolean),
  timeoutMs = 10_000,
): Promise<string> {
  const ok = typeof want === 'string' ? (f: string) => f.includes(want) : want;
  await until(
    () => ok(plain(term.lastFrame())),
    timeoutMs,
    () =>
      `${typeof want === 'string' ? JSON.stringify(want) : 'a frame'} in:\n${plain(term.lastFrame())}`,
  );
  return plain(term.lastFrame());
}
