import type { ChoiceOption, HumanAnswer } from '../../engine/human.js';
import type { BindingId, KeyEvent } from '../keys.js';
import type { Reduced } from './use-key-reducer.js';

/**
 * Pure reducers of the non-secret prompts: (state, key) → next state and, once the person is
 * done, the answer. The components only render and forward keys.
 */

type Answer<T extends HumanAnswer['type']> = Extract<HumanAnswer, { type: T }>;

export type KeyTable<S, R> = Partial<Record<BindingId, (s: S) => Reduced<S, R>>>;

/** A reducer from a table of the bindings it handles; other keys leave the state alone. */
export function byKey<S, R>(
  table: KeyTable<S, R>,
  text?: (s: S, typed: string) => Reduced<S, R>,
): (s: S, e: KeyEvent) => Reduced<S, R> {
  return (s, e) => {
    if ('text' in e) return text ? text(s, e.text) : { state: s };
    return table[e.id]?.(s) ?? { state: s };
  };
}

export function moveCursor(cursor: number, delta: number, length: number): number {
  if (length === 0) return 0;
  return (((cursor + delta) % length) + length) % length;
}

/** Typed text as one line: a pasted newline must not sneak into an answer. */
export function oneLine(typed: string): string {
  return typed.replace(/[\r\n]/g, '');
}

export function dropLast(text: string): string {
  return [...text].slice(0, -1).join('');
}

export interface ConfirmState {
  readonly default?: boolean;
  readonly hint?: string;
}

export const reduceConfirm = byKey<ConfirmState, Answer<'confirm'>>({
  yes: (s) => ({ state: s, result: { type: 'confirm', value: true } }),
  no: (s) => ({ state: s, result: { type: 'confirm', value: false } }),
  'accept-default': (s) =>
    s.default === undefined
      ? { state: { ...s, hint: 'there is no default: press y or n' } }
      : { state: s, result: { type: 'confirm', value: s.default } },
});

export interface InputState {
  readonly value: string;
  readonly pattern?: string;
  readonly default?: string;
  readonly error?: string;
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    // A pattern JavaScript cannot compile is the engine's to report; do not block the person.
    return true;
  }
}

export const reduceInput = byKey<InputState, Answer<'input'>>(
  {
    erase: (s) => ({ state: { ...s, value: dropLast(s.value), error: undefined } }),
    submit: (s) => {
      const value = s.value === '' ? (s.default ?? '') : s.value;
      if (s.pattern !== undefined && !fullMatch(s.pattern, value))
        return { state: { ...s, error: `'${value}' does not match ${s.pattern}` } };
      return { state: s, result: { type: 'input', value } };
    },
  },
  (s, typed) => ({ state: { ...s, value: s.value + oneLine(typed), error: undefined } }),
);

export interface ChooseState {
  readonly options: readonly ChoiceOption[];
  readonly cursor: number;
}

export const reduceChoose = byKey<ChooseState, Answer<'choose'>>({
  up: (s) => ({ state: { ...s, cursor: moveCursor(s.cursor, -1, s.options.length) } }),
  down: (s) => ({ state: { ...s, cursor: moveCursor(s.cursor, 1, s.options.length) } }),
  submit: (s) => {
    const o = s.options[s.cursor];
    return o ? { state: s, result: { type: 'choose', value: o.value } } : { state: s };
  },
});

export interface ChecklistState {
  readonly items: readonly string[];
  readonly cursor: number;
  readonly checked: readonly boolean[];
  readonly error?: string;
}

export function initialChecklist(items: readonly string[]): ChecklistState {
  return { items, cursor: 0, checked: items.map(() => false) };
}

export const reduceChecklist = byKey<ChecklistState, Answer<'checklist'>>({
  up: (s) => ({ state: { ...s, cursor: moveCursor(s.cursor, -1, s.items.length) } }),
  down: (s) => ({ state: { ...s, cursor: moveCursor(s.cursor, 1, s.items.length) } }),
  toggle: (s) => ({
    state: { ...s, error: undefined, checked: s.checked.map((c, i) => (i === s.cursor ? !c : c)) },
  }),
  submit: (s) => {
    const done = s.checked.filter(Boolean).length;
    if (done < s.items.length)
      return {
        state: { ...s, error: `${done} of ${s.items.length} ticked: tick every item to go on` },
      };
    return { state: s, result: { type: 'checklist', checked: [...s.items] } };
  },
});

export const reduceInstructions = byKey<null, Answer<'instructions'>>({
  ack: (s) => ({ state: s, result: { type: 'instructions', done: true } }),
});

export interface DestructiveState {
  readonly expect: string;
  readonly typed: string;
  readonly error?: string;
}

export const reduceDestructive = byKey<DestructiveState, Answer<'destructive'>>(
  {
    erase: (s) => ({ state: { ...s, typed: dropLast(s.typed), error: undefined } }),
    submit: (s) =>
      s.typed === s.expect
        ? { state: s, result: { type: 'destructive', typed: s.typed } }
        : { state: { ...s, error: `type exactly '${s.expect}' to go on, or Ctrl-C to abort` } },
  },
  (s, typed) => ({ state: { ...s, typed: s.typed + oneLine(typed), error: undefined } }),
);

export const reduceHandoff = byKey<null, Answer<'handoff'>>({
  copy: (s) => ({ state: s, result: { type: 'handoff', action: 'copy' } }),
  recorded: (s) => ({ state: s, result: { type: 'handoff', action: 'recorded' } }),
});
