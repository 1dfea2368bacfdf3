import { describe, expect, it } from 'vitest';
import { UiController } from './controller.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

function controller(): UiController {
  return new UiController({
    runbooks: [],
    open: () => {
      throw new Error('no runs in this test');
    },
    humanActionIds: new Set(),
    onQuit: () => undefined,
  });
}

describe('outside text entering the UI store', () => {
  it('Given a prompt whose message carries an escape sequence, When it is asked, Then the store holds it without control characters', () => {
    const c = controller();
    const ctl = new AbortController();
    const answer = c.ask(
      'approve',
      { type: 'confirm', message: 'Make a root token for: \x1b[2J\x1b]0;owned\x07fix\r?' },
      ctl.signal,
    );
    const shown = c.store.getState().prompt?.prompt;
    expect(shown?.message).toBe('Make a root token for: fix?');
    ctl.abort(new Error('done'));
    return expect(answer).rejects.toThrow('done');
  });

  it('Given an error whose text came from outside, When shown, Then the error panel gets it without control characters', () => {
    const c = controller();
    c.showError(new Error('Vault said: \x1b[31mno\x1b[0m\x07'));
    const message = c.store.getState().error?.message ?? '';
    expect(message).toBe('Vault said: no');
    expect(message).not.toMatch(CONTROL);
  });
});
