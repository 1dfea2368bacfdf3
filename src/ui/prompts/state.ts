import type { ChoiceOption, HumanAnswer } from '../../engine/human.js';
import type { KeyEvent } from '../keys.js';
import type { Reduced } from './use-key-reducer.js';

/**
 * Pure reducers of the non-secret prompts: (state, key) → next state and, once the person is
 * done, the answer. The components only render and forward keys.
 */

type Answer<T extends HumanAnswer['type']> = Extract<HumanAnswer, { type: T }>;

export function moveCursor(cursor: number, delta: number, length: number): number {
  if (length === 0) return 0;
  return (((cursor + delta) % length) + length) % length;
}

function editText(value: string, event: KeyEvent): string | undefined {
  if ('text' in event) return value + event.text.replace(/[\r\n]/g, '');
  if (event.id === 'erase') return [...value].slice(0, -1).join('');
  return undefined;
}

export interface ConfirmState {
  readonly default?: boolean;
  readonly hint?: string;
}

export function reduceConfirm(
  s: ConfirmState,
  e: KeyEvent,
): Reduced<ConfirmState, Answer<'confirm'>> {
  if ('text' in e) return { state: s };
  switch (e.id) {
    case 'yes':
      return { state: s, result: { type: 'confirm', value: true } };
    case 'no':
      return { state: s, result: { type: 'confirm', value: false } };
    case 'accept-default':
      return s.default === undefined
        ? { state: { ...s, hint: 'there is no default: press y or n' } }
        : { state: s, result: { type: 'confirm', value: s.default } };
    default:
      return { state: s };
  }
}

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

export function reduceInput(s: InputState, e: KeyEvent): Reduced<InputState, Answer<'input'>> {
  const edited = editText(s.value, e);
  if (edited !== undefined) return { state: { ...s, value: edited, error: undefined } };
  if ('id' in e && e.id === 'submit') {
    const value = s.value === '' ? (s.default ?? '') : s.value;
    if (s.pattern !== undefined && !fullMatch(s.pattern, value))
      return { state: { ...s, error: `'${value}' does not match ${s.pattern}` } };
    return { state: s, result: { type: 'input', value } };
  }
  return { state: s };
}

export interface ChooseState {
  readonly options: readonly ChoiceOption[];
  readonly cursor: number;
}

export function reduceChoose(s: ChooseState, e: KeyEvent): Reduced<ChooseState, Answer<'choose'>> {
  if ('text' in e) return { state: s };
  switch (e.id) {
    case 'up':
      return { state: { ...s, cursor: moveCursor(s.cursor, -1, s.options.length) } };
    case 'down':
      return { state: { ...s, cursor: moveCursor(s.cursor, 1, s.options.length) } };
    case 'submit': {
      const o = s.options[s.cursor];
      return o ? { state: s, result: { type: 'choose', value: o.value } } : { state: s };
    }
    default:
      return { state: s };
  }
}

export interface ChecklistState {
  readonly items: readonly string[];
  readonly cursor: number;
  readonly checked: readonly boolean[];
  readonly error?: string;
}

export function initialChecklist(items: readonly string[]): ChecklistState {
  return { items, cursor: 0, checked: items.map(() => false) };
}

export function reduceChecklist(
  s: ChecklistState,
  e: KeyEvent,
): Reduced<ChecklistState, Answer<'checklist'>> {
  if ('text' in e) return { state: s };
  switch (e.id) {
    case 'up':
      return { state: { ...s, cursor: moveCursor(s.cursor, -1, s.items.length) } };
    case 'down':
      return { state: { ...s, cursor: moveCursor(s.cursor, 1, s.items.length) } };
    case 'toggle':
      return {
        state: {
          ...s,
          error: undefined,
          checked: s.checked.map((c, i) => (i === s.cursor ? !c : c)),
        },
      };
    case 'submit': {
      const done = s.checked.filter(Boolean).length;
      if (done < s.items.length)
        return {
          state: { ...s, error: `${done} of ${s.items.length} ticked: tick every item to go on` },
        };
      return { state: s, result: { type: 'checklist', checked: [...s.items] } };
    }
    default:
      return { state: s };
  }
}

export function reduceInstructions(s: null, e: KeyEvent): Reduced<null, Answer<'instructions'>> {
  return 'id' in e && e.id === 'ack'
    ? { state: s, result: { type: 'instructions', done: true } }
    : { state: s };
}

export interface DestructiveState {
  readonly expect: string;
  readonly typed: string;
  readonly error?: string;
}

export function reduceDestructive(
  s: DestructiveState,
  e: KeyEvent,
): Reduced<DestructiveState, Answer<'destructive'>> {
  const edited = editText(s.typed, e);
  if (edited !== undefined) return { state: { ...s, typed: edited, error: undefined } };
  if ('id' in e && e.id === 'submit') {
    if (s.typed !== s.expect)
      return { state: { ...s, error: `type exactly '${s.expect}' to go on, or Ctrl-C to abort` } };
    return { state: s, result: { type: 'destructive', typed: s.typed } };
  }
  return { state: s };
}
