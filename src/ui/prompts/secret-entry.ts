import { Secret } from '../../domain/secret.js';
import { byKey, dropLast, oneLine } from './state.js';

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

export const reduceSecret = byKey<SecretEntry, { type: 'secret'; value: Secret }>(
  {
    erase: (s) => ({ state: { ...s, buffer: dropLast(s.buffer) } }),
    submit: (s) => {
      // A pasted share often carries a trailing space or tab (a terminal selection, a PDF): no
      // share or token has blanks at its ends, and Vault would refuse it whole. The headless
      // path trims the same way.
      const typed = s.buffer.trim();
      if (typed === '') return { state: { ...s, error: 'nothing typed yet' } };
      const value = new Secret(typed, s.label);
      const cleared = { ...s, buffer: '', first: undefined };
      if (!s.confirm) return { state: cleared, result: { type: 'secret', value } };
      if (s.phase === 'first') return { state: { ...s, phase: 'again', first: value, buffer: '' } };
      if (s.first?.equals(value)) return { state: cleared, result: { type: 'secret', value } };
      return {
        state: { ...cleared, phase: 'first', error: 'the two entries differ: type it again' },
      };
    },
  },
  (s, typed) => ({ state: { ...s, buffer: s.buffer + oneLine(typed), error: undefined } }),
);
