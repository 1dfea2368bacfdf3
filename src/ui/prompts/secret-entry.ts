import { Secret } from '../../domain/secret.js';
import type { KeyEvent } from '../keys.js';
import type { Reduced } from './use-key-reducer.js';

/**
 * Masked entry of a share or token. The state holds plaintext, so it lives in a ref; only
 * `secretView` (length and phase) ever reaches React state or the screen.
 */
export interface SecretEntry {
  readonly label: string;
  readonly confirm: boolean;
  readonly phase: 'first' | 'again';
  readonly buffer: string;
  readonly first?: Secret;
  readonly error?: string;
}

export interface SecretView {
  readonly phase: 'first' | 'again';
  readonly length: number;
  readonly error?: string;
}

export function initialSecretEntry(label: string, confirm: boolean): SecretEntry {
  return { label, confirm, phase: 'first', buffer: '' };
}

export function secretView(s: SecretEntry): SecretView {
  return { phase: s.phase, length: [...s.buffer].length, ...(s.error ? { error: s.error } : {}) };
}

export function reduceSecret(
  s: SecretEntry,
  e: KeyEvent,
): Reduced<SecretEntry, { type: 'secret'; value: Secret }> {
  if ('text' in e)
    return { state: { ...s, buffer: s.buffer + e.text.replace(/[\r\n]/g, ''), error: undefined } };
  switch (e.id) {
    case 'erase':
      return { state: { ...s, buffer: [...s.buffer].slice(0, -1).join('') } };
    case 'submit': {
      if (s.buffer === '') return { state: { ...s, error: 'nothing typed yet' } };
      const value = new Secret(s.buffer, s.label);
      if (!s.confirm) return { state: { ...s, buffer: '' }, result: { type: 'secret', value } };
      if (s.phase === 'first') return { state: { ...s, phase: 'again', first: value, buffer: '' } };
      if (s.first?.equals(value))
        return { state: { ...s, buffer: '', first: undefined }, result: { type: 'secret', value } };
      return {
        state: {
          ...s,
          phase: 'first',
          buffer: '',
          first: undefined,
          error: 'the two entries differ: type it again',
        },
      };
    }
    default:
      return { state: s };
  }
}
