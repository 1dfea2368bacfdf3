import { join } from 'node:path';
import * as ink from 'ink';
import * as jsxRuntime from 'react/jsx-runtime';
import type { ReactNode } from 'react';
import Yoga from 'yoga-layout';
import { describe, expect, it } from 'vitest';
import { loadCommonJs } from '../src/adapters/code-cache.js';
import { ROOT } from './support/cli.js';

/**
 * The TUI's libraries as the bundle runs them (dist/bundle/tui-vendor.cjs, scripts/bundle.mjs):
 * with Ink's text libraries answering for plain text without ICU. They must draw exactly what
 * Ink from node_modules draws, for plain text and for every kind of text that still needs ICU.
 */
type Ink = typeof ink;
type Jsx = typeof jsxRuntime;
const vendor = loadCommonJs(join(ROOT, 'dist', 'bundle', 'tui-vendor.cjs'), {
  'yoga-layout': Yoga,
}).exports as { ink: Ink; jsxRuntime: Jsx };

const TEXTS = [
  'unseal · 3 of 5 shares entered, 2 to go',
  '\u001b[1m\u001b[32mnode-1\u001b[39m\u001b[22m  200  1.14.8 active',
  '─── ↑ move up · ↓ move down · enter run runbook ───│├┤┌┐└┘',
  'Grüße aus Köln, Ελληνικά κείμενα, Кириллица текст, שלום עולם, مرحبا بالعالم',
  'e\u0301 combining a\u0308 marks',
  '한국어 hangul 각 jamo 각',
  '日本語の幅の広い文字と narrow',
  '👍🏽 thumbs 👨‍👩‍👧 family 🇩🇪 flag 1️⃣ keycap ❤️ heart',
  'zero\u200bwidth\u200djoiner\u00adsoft hyphen',
  '⌚ watch ⏩ fast',
];
/**
 * Emoji with a text presentation by default: wrap-ansi in node_modules measures them with
 * string-width 7 (two columns), the bundle with Ink's own string-width 8 (one, as Ink measures
 * them: scripts/bundle.mjs, wrapWithInksStringWidth). Their wrapped frames differ by design;
 * the truncated ones are compared.
 */
const TEXT_STYLE_EMOJI = ['↔ arrows ▶ play © copyright ☺ smile'];

function frame(lib: Ink, jsx: Jsx, text: string, width: number, wrap: 'wrap' | 'truncate'): string {
  const { Box, Text, renderToString } = lib;
  const node: ReactNode = jsx.jsx(Box, {
    borderStyle: 'single',
    width,
    flexDirection: 'column',
    children: [
      jsx.jsx(Text, { wrap, children: text }, 'a'),
      jsx.jsx(Text, { color: 'green', bold: true, wrap, children: `» ${text}` }, 'b'),
    ],
  });
  return renderToString(node, { columns: 200 });
}

describe("the bundle's TUI libraries", () => {
  it('Given plain, styled, box-drawing and emoji, CJK, Hangul and combining text, When drawn wrapped and truncated at several widths, Then every frame is the one Ink from node_modules draws', () => {
    for (const text of [...TEXTS, ...TEXT_STYLE_EMOJI])
      for (const width of [12, 23, 40, 90])
        for (const wrap of ['wrap', 'truncate'] as const) {
          if (wrap === 'wrap' && TEXT_STYLE_EMOJI.includes(text)) continue;
          const label = `${JSON.stringify(text)} width ${width} ${wrap}`;
          expect(frame(vendor.ink, vendor.jsxRuntime, text, width, wrap), label).toBe(
            frame(ink, jsxRuntime, text, width, wrap),
          );
        }
  });
});
