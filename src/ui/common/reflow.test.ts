import { describe, expect, it } from 'vitest';
import { reflow } from './reflow.js';

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
});
