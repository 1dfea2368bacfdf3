// The test of one character used by scripts/narrow-text.mjs and src/vendor/narrow-text.test.ts:
// asked of the libraries themselves, never of a copy of their rules.
import { tokenize } from '@alcalzone/ansi-tokenize';
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const count = (s) => [...graphemes.segment(s)].length;

/**
 * Whether `c` (one UTF-16 unit) is one column wide for string-width (both ways it treats
 * ambiguous widths as narrow), ansi-tokenize and slice-ansi, is never emoji, and is a grapheme
 * of its own next to a letter, before a letter and next to itself (so a run of such characters
 * is one grapheme per unit: no combining mark, joiner, prepended mark, regional indicator,
 * Hangul jamo or control).
 */
export function narrowAlone(c) {
  if (c.length !== 1) return false;
  if (count(`a${c}`) !== 2 || count(`${c}a`) !== 2 || count(`${c}${c}`) !== 2) return false;
  if (stringWidth(c) !== 1 || stringWidth(`x${c}${c}y`) !== 4) return false;
  if (/\p{Extended_Pictographic}|\p{Emoji_Presentation}/u.test(c)) return false;
  const tokens = tokenize(c);
  if (tokens.length !== 1 || tokens[0].type !== 'char' || tokens[0].fullWidth) return false;
  if (sliceAnsi(`${c}${c}${c}`, 1, 2) !== c) return false;
  return true;
}
