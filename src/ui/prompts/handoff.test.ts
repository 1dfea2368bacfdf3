import { describe, expect, it } from 'vitest';
import { resolveKey } from '../keys.js';
import { reduceHandoff } from './state.js';

describe('the handoff screen keys', () => {
  it('Given a share on screen, When c or enter is pressed, Then the answer is copy or recorded, and other keys do nothing', () => {
    const key = (input: string, flags = {}) => resolveKey('handoff', input, flags);
    const c = key('c');
    const enter = key('', { return: true });
    expect(c && reduceHandoff(null, c).result).toEqual({ type: 'handoff', action: 'copy' });
    expect(enter && reduceHandoff(null, enter).result).toEqual({
      type: 'handoff',
      action: 'recorded',
    });
    // Not a text prompt: typed letters are neither text nor answers.
    expect(key('x')).toBeUndefined();
    expect(key('c', { ctrl: true })).toEqual({ id: 'abort' });
  });
});
