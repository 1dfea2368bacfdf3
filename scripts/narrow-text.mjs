#!/usr/bin/env node
// Prints the code point ranges of src/vendor/narrow-text.ts: the characters that Ink's text
// libraries, as installed, treat as one column wide and a grapheme of their own whatever their
// neighbours — the characters for which splitting a line into graphemes with Intl.Segmenter
// and measuring it with string-width can be done one UTF-16 unit at a time. Run it after an
// upgrade of Node, Ink, string-width, slice-ansi or @alcalzone/ansi-tokenize and paste its
// output into that file; src/vendor/narrow-text.test.ts checks each range against the same
// libraries, so a stale list fails the tests instead of drawing a wrong frame.
//   node scripts/narrow-text.mjs
import { narrowAlone } from './narrow-text-check.mjs';

/** Candidates: the BMP up to the CJK blocks (everything past them that is narrow is rare). */
const LAST = 0x2fff;
const ranges = [];
for (let cp = 0x20; cp <= LAST; cp++) {
  if (!narrowAlone(String.fromCodePoint(cp))) continue;
  const last = ranges.at(-1);
  if (last && last[1] === cp - 1) last[1] = cp;
  else ranges.push([cp, cp]);
}
const hex = (n) => `\\\\u${n.toString(16).toUpperCase().padStart(4, '0')}`;
const parts = ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`));
const lines = [];
for (let i = 0; i < parts.length; i += 8) lines.push(`  '${parts.slice(i, i + 8).join('')}' +`);
console.log(`${lines.join('\n').replace(/ \+$/, '')}`);
console.error(
  `${ranges.length} ranges, ${ranges.reduce((n, [a, b]) => n + b - a + 1, 0)} code points`,
);
