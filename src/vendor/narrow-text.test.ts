import { describe, expect, it } from 'vitest';
// The libraries' own answers (string-width, slice-ansi, ansi-tokenize and Intl), per character.
import { narrowAlone } from '../../scripts/narrow-text-check.mjs';
import { graphemeSegmenter, isNarrowText } from './narrow-text.js';

const intl = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const BMP = Array.from({ length: 0x10000 }, (_, cp) => cp).filter(
  (cp) => cp < 0xd800 || cp > 0xdfff,
);

/** Texts for each path: plain, styled, box drawing, and every kind of text that needs ICU. */
const TEXTS = [
  '',
  'unseal · 3 of 5 shares',
  '\u001b[1m\u001b[32mnode-1\u001b[39m\u001b[22m  200  1.14.8',
  '─── ↑ move up · ↓ move down ───│├┤┌┐└┘',
  'Grüße, Ελληνικά, Кириллица, שלום, مرحبا',
  'tab\there\nnext line',
  'CR LF\r\nstays one',
  'e\u0301 combining',
  '한국어 hangul 각 jamo',
  '日本語 wide',
  '👍🏽 👨‍👩‍👧 🇩🇪 1️⃣ ❤️ ☺',
  'zero\u200bwidth\u200djoiner\u00adsoft',
  '\ud800 lone surrogate',
  '⌚ ↔ ▶ ©',
];

describe('narrow text (Ink without ICU for plain text)', () => {
  it('Given every BMP character the narrow set holds, When the libraries are asked, Then each is one column, never emoji, and a grapheme of its own', () => {
    const narrow = BMP.map((cp) => String.fromCharCode(cp)).filter((c) => isNarrowText(c));
    expect(narrow.length).toBeGreaterThan(9000); // Latin, Greek, Cyrillic, box drawing, arrows…
    expect(narrow.filter((c) => !narrowAlone(c))).toEqual([]);
  });

  it('Given characters the libraries measure otherwise, When tested, Then none is narrow text', () => {
    for (const c of [
      '\r',
      '\u0301',
      '\u200d',
      '\ufe0f',
      '\u00ad',
      '한',
      '日',
      '⌚',
      '☺',
      '©',
      '\u1100',
    ])
      expect(isNarrowText(`a${c}`), JSON.stringify(c)).toBe(false);
    expect(isNarrowText('─ ↑ · é Ω Ж')).toBe(true);
  });

  it('Given the control characters the segmenter answers for, When next to narrow text or each other, Then each is a grapheme of its own', () => {
    const controls = [...Array(0x20).keys(), 0x7f]
      .filter((cp) => cp !== 0x0d)
      .map((cp) => String.fromCharCode(cp));
    for (const c of controls)
      for (const other of ['a', '─', 'é', ...controls])
        for (const pair of [`${c}${other}`, `${other}${c}`])
          expect([...intl.segment(pair)], JSON.stringify(pair)).toHaveLength(2);
  });

  it("Given any text, When segmented, Then the segments and containing() are Intl's", () => {
    for (const text of TEXTS) {
      const ours = graphemeSegmenter().segment(text);
      const theirs = intl.segment(text);
      expect([...ours], JSON.stringify(text)).toEqual([...theirs]);
      for (const i of [-1, 0, 0.5, 1, 3, text.length - 1, text.length, undefined])
        expect(ours.containing(i), `${JSON.stringify(text)} @${i}`).toEqual(theirs.containing(i));
    }
  });
});
