import { describe, expect, it } from 'vitest';
import {
  BINDINGS,
  helpRows,
  hintLine,
  keyContext,
  resolveKey,
  splitInput,
  TEXT_CONTEXTS,
  type KeyContext,
} from './keys.js';

const ALL: KeyContext[] = [
  'home',
  'run',
  'finished',
  'confirm',
  'input',
  'choose',
  'checklist',
  'secret',
  'instructions',
  'destructive',
  'handoff',
  'abort',
  'help',
];

describe('key bindings', () => {
  it('Given the binding table, When keys are grouped by context, Then no key means two things in one context', () => {
    for (const ctx of ALL) {
      const seen = new Map<string, string>();
      for (const b of BINDINGS.filter((x) => x.contexts.includes(ctx)))
        for (const k of b.keys) {
          const sig = JSON.stringify(k);
          expect(seen.get(sig), `${sig} in ${ctx}`).toBeUndefined();
          seen.set(sig, b.id);
        }
    }
  });

  it('Given a text-entry context, When single letters or ? are pressed, Then they are text, not bindings', () => {
    for (const ctx of TEXT_CONTEXTS)
      for (const ch of ['q', 'y', 'n', 'h', '?', ' ', 'é'])
        expect(resolveKey(ctx, ch, {})).toEqual({ text: ch });
  });

  it('Given a text-entry context, When Ctrl-C or a control character arrives, Then Ctrl-C aborts and control bytes are dropped', () => {
    expect(resolveKey('secret', 'c', { ctrl: true })).toEqual({ id: 'abort' });
    expect(resolveKey('secret', '\u0007', {})).toBeUndefined();
    expect(resolveKey('secret', '', { delete: true })).toEqual({ id: 'erase' });
  });

  it('Given one chunk of input holding text and control characters, When split, Then each control character is its own key and text runs stay whole', () => {
    expect(splitInput('share\r', {})).toEqual([
      { input: 'share', key: {} },
      { input: '', key: { return: true } },
    ]);
    expect(splitInput('ab\x7f\x7f\r\nc\x03', {})).toEqual([
      { input: 'ab', key: {} },
      { input: '', key: { backspace: true } },
      { input: '', key: { backspace: true } },
      { input: '', key: { return: true } },
      { input: 'c', key: {} },
      { input: 'c', key: { ctrl: true } },
    ]);
    // Single keys and plain text are left as Ink parsed them.
    expect(splitInput('\r', { return: true })).toEqual([{ input: '\r', key: { return: true } }]);
    expect(splitInput('hello', {})).toEqual([{ input: 'hello', key: {} }]);
  });

  it('Given each screen, When Ctrl-C is pressed, Then it quits at rest, asks to abort while running, and confirms at the abort prompt', () => {
    const ctrlC = { ctrl: true };
    expect(resolveKey('home', 'c', ctrlC)).toEqual({ id: 'quit' });
    expect(resolveKey('finished', 'c', ctrlC)).toEqual({ id: 'quit' });
    expect(resolveKey('run', 'c', ctrlC)).toEqual({ id: 'abort' });
    expect(resolveKey('choose', 'c', ctrlC)).toEqual({ id: 'abort' });
    expect(resolveKey('abort', 'c', ctrlC)).toEqual({ id: 'confirm-abort' });
    // A step whose abort loses something: a second Ctrl-C does not confirm, y does.
    expect(resolveKey('abort-guarded', 'c', ctrlC)).toBeUndefined();
    expect(resolveKey('abort-guarded', 'y', {})).toEqual({ id: 'confirm-abort' });
    expect(resolveKey('help', 'c', ctrlC)).toEqual({ id: 'close-help' });
  });

  it('Given the table, When the hint line is generated, Then it lists the context’s bindings from the table', () => {
    expect(hintLine('home')).toBe(
      '↑ move up · ↓ move down · enter run runbook · ? help · q/Ctrl-C quit',
    );
    expect(hintLine('confirm')).toBe('y yes · n no · enter default · Ctrl-C abort run · ? help');
    expect(hintLine('secret')).toBe('type to enter · enter submit · Ctrl-C abort run');
    expect(hintLine('abort')).toBe('y/Ctrl-C abort · n/esc/enter keep running');
  });

  it('Given the table, When help rows are built, Then every binding has one', () => {
    expect(helpRows()).toHaveLength(BINDINGS.length);
  });

  it('Given UI state, When the key context is computed, Then overlays win over prompts and prompts over the screen', () => {
    const prompt = {
      seq: 1,
      stepId: 's',
      prompt: { type: 'choose' as const, message: 'm', options: [] },
    };
    expect(keyContext({ screen: 'home', confirmingAbort: false }, false)).toBe('home');
    expect(keyContext({ screen: 'run', confirmingAbort: false, prompt }, false)).toBe('choose');
    expect(keyContext({ screen: 'run', confirmingAbort: true, prompt }, false)).toBe('abort');
    expect(keyContext({ screen: 'run', confirmingAbort: true, prompt }, true)).toBe('help');
    expect(keyContext({ screen: 'run', confirmingAbort: false }, false)).toBe('run');
  });
});
