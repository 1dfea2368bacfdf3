import { describe, expect, it } from 'vitest';
import { maskTokens, stripControls, stripControlsDeep } from './sanitize.js';
import { REDACTED, Redactor, Secret } from './secret.js';

const M = '***';

describe('terminal control characters', () => {
  it.each([
    ['CSI colour and cursor moves', '1.14.8\x1b[31m\x1b[2J\x1b[1;1H', '1.14.8'],
    ['an OSC window title ended by BEL', 'a\x1b]0;owned\x07b', 'ab'],
    ['an OSC 52 clipboard write ended by ST', 'a\x1b]52;c;aGk=\x1b\\b', 'ab'],
    ['a DCS string', 'a\x1bP+q544e\x1b\\b', 'ab'],
    ['8-bit CSI', 'a\x9b31mb', 'ab'],
    ['carriage return, backspace, bell, NUL, DEL', 'ok\rFAKE\b\x07\x00\x7f!', 'okFAKE!'],
    ['a lone ESC at the end', 'x\x1b', 'x'],
  ])('Given %s, When stripped, Then only the text is left', (_what, input, out) => {
    expect(stripControls(input)).toBe(out);
  });

  it('Given Unicode bidirectional controls (a key named U+202E gpj.exe), When stripped, Then they are gone and it reads as written', () => {
    const hostile = [
      '\u202egpj.exe',
      'a\u2066b\u2069c',
      'x\u200fy\u200ez',
      '\u061cq',
      '\u202ar\u202cs',
    ];
    expect(hostile.map(stripControls)).toEqual(['gpj.exe', 'abc', 'xyz', 'q', 'rs']);
  });
  it('Given newlines, tabs and non-ASCII text, When stripped, Then they stay', () => {
    expect(stripControls('a\tb\nc — ‹é›')).toBe('a\tb\nc — ‹é›');
  });

  it('Given nested data with a Secret, When stripped deep, Then strings are cleaned and the Secret is the same object', () => {
    const s = new Secret('x\x1b[2Jy');
    const out = stripControlsDeep({ a: ['v\x1b[31m1'], s });
    expect(out).toEqual({ a: ['v1'], s });
    expect(out.s).toBe(s);
  });
});

describe('token-shaped strings', () => {
  it.each([
    [
      'a service token',
      'token: hvs.CAESIJ4ld4pjfUk9HqyEqxRsObbYy4W0Bxg3G6kkzhbL2bV1GiQKHGh2cy5ySXdxN0hTUmVKbzBNdGNGNFR5cjRFSHMQtAE',
    ],
    ['a batch token', 'hvb.AAAAAQJxPz1234567890abcdefghijKLMNOPQRS_-xyz'],
    ['a recovery token', 'hvr.abcdefghijklmnopqrstuvwxyz'],
    ['a legacy service token', 'VAULT_TOKEN=s.RmHqNz3ssJMOBZsU1ldBMCi3'],
    ['a legacy token in a namespace', 's.RmHqNz3ssJMOBZsU1ldBMCi3.abCd'],
    ['a legacy batch token', 'b.AAAAAQKnbV9ZQGwR5Yh5pLrbZ1FlG0cYV3NkRIZQ'],
    ['a legacy recovery token', '"r.RmHqNz3ssJMOBZsU1ldBMCi3"'],
  ])('Given %s in output, When masked, Then the token is gone', (_what, line) => {
    const out = maskTokens(line, M);
    expect(out).toContain(M);
    expect(out).not.toMatch(/(hv[sbr]|\b[sbr])\.[A-Za-z0-9]{20}/);
  });

  it.each([
    'vault version 1.14.8',
    'see logs.txt and s.short',
    'class=vars.ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    'accessor 3pqU8mfoJ8vPdLHUkItiWpZo',
    'nonce 2dbd10f1-8528-6246-09e7-82b25b8aba63',
  ])('Given ordinary text %j, When masked, Then it is unchanged', (line) => {
    expect(maskTokens(line, M)).toBe(line);
  });
});

describe('the redactor', () => {
  it('Given a known value, a token and an escape sequence in one line, When redacted, Then all three are handled', () => {
    const r = new Redactor();
    r.add(new Secret('share-abcdef'));
    expect(r.redact('s=share-abcdef t=hvs.abcdefghijklmnopqrstuvwx \x1b[2Jdone')).toBe(
      `s=${REDACTED} t=${REDACTED} done`,
    );
  });

  it('Given a secret printed with an escape sequence inside it, When redacted, Then no part of it is left', () => {
    const r = new Redactor();
    r.add(new Secret('share-abcdef'));
    expect(r.redact('share-\x1b[0mabcdef')).toBe(REDACTED);
  });
});
