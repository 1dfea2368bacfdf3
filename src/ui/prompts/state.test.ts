import { describe, expect, it } from 'vitest';
import type { Secret } from '../../domain/secret.js';
import type { KeyEvent } from '../keys.js';
import { initialSecretEntry, reduceSecret, secretView, type SecretEntry } from './secret-entry.js';
import {
  initialChecklist,
  moveCursor,
  reduceChecklist,
  reduceChoose,
  reduceConfirm,
  reduceDestructive,
  reduceInput,
  type InputState,
} from './state.js';
import type { Reduced } from './use-key-reducer.js';

function run<S, R>(
  reduce: (s: S, e: KeyEvent) => Reduced<S, R>,
  s: S,
  events: KeyEvent[],
): Reduced<S, R> {
  let r: Reduced<S, R> = { state: s };
  for (const e of events) {
    r = reduce(r.state, e);
    if (r.result !== undefined) return r;
  }
  return r;
}

const text = (t: string): KeyEvent => ({ text: t });
const key = (id: Extract<KeyEvent, { id: unknown }>['id']): KeyEvent => ({ id });

describe('prompt reducers', () => {
  it('Given a cursor at either end, When it moves past the end, Then it wraps around', () => {
    expect(moveCursor(0, -1, 3)).toBe(2);
    expect(moveCursor(2, 1, 3)).toBe(0);
    expect(moveCursor(0, 1, 0)).toBe(0);
  });

  it('Given a confirm with a default, When enter is pressed, Then the default is the answer; without one, Then a hint asks for y or n', () => {
    expect(reduceConfirm({ default: false }, key('accept-default')).result).toEqual({
      type: 'confirm',
      value: false,
    });
    const r = reduceConfirm({}, key('accept-default'));
    expect(r.result).toBeUndefined();
    expect(r.state.hint).toContain('press y or n');
    expect(reduceConfirm({}, key('yes')).result).toEqual({ type: 'confirm', value: true });
  });

  it('Given an input with a pattern, When a non-matching value is submitted, Then an error shows and nothing is answered', () => {
    const s: InputState = { value: '', pattern: '[0-9]+' };
    const bad = run(reduceInput, s, [text('1a'), key('submit')]);
    expect(bad.result).toBeUndefined();
    expect(bad.state.error).toContain('does not match [0-9]+');
    const good = run(reduceInput, bad.state, [key('erase'), key('submit')]);
    expect(good.result).toEqual({ type: 'input', value: '1' });
  });

  it('Given an input with a default, When enter is pressed on an empty line, Then the default is the answer', () => {
    expect(reduceInput({ value: '', default: 'x' }, key('submit')).result).toEqual({
      type: 'input',
      value: 'x',
    });
  });

  it('Given a choice, When ↓ then enter, Then the second option is chosen', () => {
    const options = [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
    ];
    expect(run(reduceChoose, { options, cursor: 0 }, [key('down'), key('submit')]).result).toEqual({
      type: 'choose',
      value: 'b',
    });
  });

  it('Given a checklist, When enter is pressed before every item is ticked, Then it refuses; once all are ticked, Then it answers', () => {
    const s = initialChecklist(['one', 'two']);
    const early = run(reduceChecklist, s, [key('toggle'), key('submit')]);
    expect(early.result).toBeUndefined();
    expect(early.state.error).toContain('1 of 2 ticked');
    const done = run(reduceChecklist, early.state, [key('down'), key('toggle'), key('submit')]);
    expect(done.result).toEqual({ type: 'checklist', checked: ['one', 'two'] });
  });

  it('Given a destructive step, When the wrong name is typed, Then it shows what is expected; the right name answers', () => {
    const wrong = run(reduceDestructive, { expect: 'prod', typed: '' }, [
      text('pro'),
      key('submit'),
    ]);
    expect(wrong.state.error).toContain("type exactly 'prod'");
    expect(run(reduceDestructive, wrong.state, [text('d'), key('submit')]).result).toEqual({
      type: 'destructive',
      typed: 'prod',
    });
  });
});

describe('secret entry', () => {
  const typeAll = (s: SecretEntry, value: string): Reduced<SecretEntry, unknown> =>
    run(reduceSecret, s, [...value].map(text));

  it('Given masked entry, When characters are typed and erased, Then the view carries only the length', () => {
    const r = run(reduceSecret, initialSecretEntry('share', false), [
      text('ab'),
      text('c'),
      key('erase'),
    ]);
    expect(secretView(r.state)).toEqual({ phase: 'first', length: 2 });
    expect(JSON.stringify(secretView(r.state))).not.toContain('ab');
  });

  it('Given no confirmation, When enter is pressed, Then the answer is a Secret and the buffer is wiped', () => {
    const r = run(reduceSecret, typeAll(initialSecretEntry('share', false), 's3cret-value').state, [
      key('submit'),
    ]);
    expect(r.result).toMatchObject({ type: 'secret' });
    const value = (r.result as { value: Secret }).value;
    expect(value.reveal()).toBe('s3cret-value');
    expect(value.label).toBe('share');
    expect(r.state.buffer).toBe('');
  });

  it('Given a share pasted with blanks around it, When enter is pressed, Then the Secret holds the share alone (as the headless path does), and blanks alone are nothing typed', () => {
    const r = run(
      reduceSecret,
      typeAll(initialSecretEntry('share', false), ' \tabc123== \t').state,
      [key('submit')],
    );
    expect((r.result as { value: Secret }).value.reveal()).toBe('abc123==');
    const blank = run(reduceSecret, typeAll(initialSecretEntry('share', false), ' \t ').state, [
      key('submit'),
    ]);
    expect(blank.result).toBeUndefined();
    expect(blank.state.error).toBe('nothing typed yet');
  });

  it('Given an empty entry, When enter is pressed, Then nothing is answered', () => {
    const r = reduceSecret(initialSecretEntry('share', false), key('submit'));
    expect(r.result).toBeUndefined();
    expect(r.state.error).toBe('nothing typed yet');
  });

  it('Given confirmation, When the two entries differ, Then it starts over; When they match, Then it answers', () => {
    let s = typeAll(initialSecretEntry('token', true), 'first-one').state;
    s = reduceSecret(s, key('submit')).state;
    expect(secretView(s)).toEqual({ phase: 'again', length: 0 });
    s = typeAll(s, 'other-one').state;
    const mismatch = reduceSecret(s, key('submit'));
    expect(mismatch.result).toBeUndefined();
    expect(secretView(mismatch.state)).toEqual({
      phase: 'first',
      length: 0,
      error: 'the two entries differ: type it again',
    });
    expect(mismatch.state.first).toBeUndefined();

    s = reduceSecret(typeAll(mismatch.state, 'same').state, key('submit')).state;
    const ok = reduceSecret(typeAll(s, 'same').state, key('submit'));
    expect((ok.result as { value: Secret }).value.reveal()).toBe('same');
  });
});
