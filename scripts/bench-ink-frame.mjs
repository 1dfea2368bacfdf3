#!/usr/bin/env node
// One redraw of a full status screen (150 × 45, 40 styled rows of which one changes each time),
// in the bundle's TUI libraries (dist/bundle/tui-vendor.cjs) next to Ink from node_modules in the
// same run: CPU per frame once both are warm. Figures, not assertions. After `npm run build`:
//   node scripts/bench-ink-frame.mjs [another tui-vendor.cjs …]
import { join, resolve } from 'node:path';
import Yoga from 'yoga-layout';
import * as ink from 'ink';
import * as jsxRuntime from 'react/jsx-runtime';

const root = resolve(import.meta.dirname, '..');
const { loadCommonJs } = await import(join(root, 'dist', 'adapters', 'code-cache.js'));
const vendors = [join(root, 'dist', 'bundle', 'tui-vendor.cjs'), ...process.argv.slice(2)];

function perFrame(lib, j) {
  const { Box, Text, renderToString } = lib;
  const frame = (n) =>
    j.jsx(Box, {
      borderStyle: 'round',
      width: 150,
      height: 45,
      flexDirection: 'column',
      children: Array.from({ length: 40 }, (_, i) =>
        j.jsx(
          Text,
          {
            color: i % 3 ? 'green' : undefined,
            bold: i % 5 === 0,
            children: `node-${i} · 200 · 1.14.8 · active ─── ${i === 7 ? n : 'steady'} ↑ ↓`,
          },
          i,
        ),
      ),
    });
  for (let i = 0; i < 30; i++) renderToString(frame(i), { columns: 150 }); // warm
  const c = process.cpuUsage();
  const n = 200;
  for (let i = 0; i < n; i++) renderToString(frame(i), { columns: 150 });
  const u = process.cpuUsage(c);
  return (u.user + u.system) / n / 1000;
}

console.log(`Ink from node_modules: ${perFrame(ink, jsxRuntime).toFixed(2)} ms CPU per frame`);
for (const file of vendors) {
  const { exports } = loadCommonJs(file, { 'yoga-layout': Yoga });
  console.log(`${file}: ${perFrame(exports.ink, exports.jsxRuntime).toFixed(2)} ms CPU per frame`);
}
