import { describe, expect, it } from 'vitest';
import { clampLines, reflow } from './reflow.js';

describe('reflow', () => {
  it('Given hand-wrapped YAML text, When reflowed, Then paragraph lines join and blank lines, list items and indented lines keep their breaks', () => {
    const text = [
      'Run once, on a new cluster whose nodes are up.',
      'One node is initialized.',
      '',
      'Steps:',
      '- first item',
      '  continued item',
      '- second item',
      '',
      '    vault-runbook journal show <id>',
      'After code.',
    ].join('\n');
    expect(reflow(text)).toBe(
      [
        'Run once, on a new cluster whose nodes are up. One node is initialized.',
        '',
        'Steps:',
        '- first item',
        '  continued item',
        '- second item',
        '',
        '    vault-runbook journal show <id>',
        'After code.',
      ].join('\n'),
    );
  });

  it('Given text taller than the room left, When clamped, Then it keeps that many wrapped lines and ends in an ellipsis', () => {
    const text = 'one two three four five six seven eight nine ten\nsecond paragraph here';
    expect(clampLines(text, 20, 10)).toBe(text);
    const cut = clampLines(text, 20, 2);
    expect(cut.split('\n')).toHaveLength(2);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.startsWith('one two three four')).toBe(true);
  });
});
