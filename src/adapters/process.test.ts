import { describe, expect, it } from 'vitest';
import { ExecaProcess, lineSplitter, MAX_LINE_CHARS } from './process.js';

describe('ExecaProcess output lines', () => {
  it('Given a command that prints 40 MB without a newline, When it runs, Then the line is cut at the cap, the cut is said, and the next line comes through', async () => {
    const lines: string[] = [];
    const r = await new ExecaProcess().run(
      "head -c 40000000 /dev/zero | tr '\\0' a; echo; echo next",
      { signal: AbortSignal.timeout(60_000), onLine: (_s, l) => lines.push(l) },
    );
    expect(r.exitCode).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBeLessThan(MAX_LINE_CHARS + 100);
    expect(lines[0]).toMatch(/… \[39934464 more characters of this line dropped\]$/);
    expect(lines[1]).toBe('next');
  });

  it('Given a long line whose end arrives in one chunk with its newline, When split, Then the line is still cut at the cap and every dropped character counted', () => {
    const out: string[] = [];
    const s = lineSplitter((l) => out.push(l));
    s.push('a'.repeat(MAX_LINE_CHARS + 10));
    s.push(`${'b'.repeat(MAX_LINE_CHARS)}\nnext\n`);
    expect(out).toEqual([
      `${'a'.repeat(MAX_LINE_CHARS)} … [${MAX_LINE_CHARS + 10} more characters of this line dropped]`,
      'next',
    ]);
  });

  it('Given \\r\\n split across chunks, a lone \\r and no final newline, When split, Then lines come out as readline gives them', () => {
    const out: string[] = [];
    const s = lineSplitter((l) => out.push(l));
    s.push('one\r');
    s.push('\ntwo\rthree\n');
    s.push('four');
    s.end();
    expect(out).toEqual(['one', 'two', 'three', 'four']);
  });
});
