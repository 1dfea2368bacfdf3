import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRunbooks } from './runbooks.js';

/** A runbook folder of its own, first on the search path. */
function folder(files: Record<string, string>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'vr-runbooks-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return {
    VAULT_RUNBOOK_PATH: dir,
    XDG_CONFIG_HOME: join(dir, 'no-config'),
  };
}

const mine = (env: NodeJS.ProcessEnv) =>
  listRunbooks(env)
    .filter((r) => r.file.startsWith(env.VAULT_RUNBOOK_PATH ?? '-'))
    .map(({ id, title, description }) => ({ id, title, description }));

describe('listRunbooks (head of each file only)', () => {
  it('Given id, title and a block description before the steps, When listed, Then they are read as YAML reads them', () => {
    const env = folder({
      'a.yaml': [
        '# a comment',
        'id: alpha',
        'title: "Alpha: quoted, with a colon"',
        'description: |',
        '  Line one.',
        '  steps: not a key here, it is indented text',
        'steps:',
        '  - id: s',
        '    run: echo hi',
        '',
      ].join('\n'),
    });
    expect(mine(env)).toEqual([
      {
        id: 'alpha',
        title: 'Alpha: quoted, with a colon',
        description: 'Line one.\nsteps: not a key here, it is indented text',
      },
    ]);
  });

  it('Given a title written after the steps, When listed, Then the whole file is read for it', () => {
    const env = folder({
      'late.yaml': 'id: late\nsteps:\n  - id: s\n    run: "true"\ntitle: Written last\n',
    });
    expect(mine(env)).toEqual([{ id: 'late', title: 'Written last', description: '' }]);
  });

  it('Given a file with no id and a broken head, When listed, Then its id is the file name and the title says the YAML is invalid', () => {
    const env = folder({
      'broken.yaml': 'title: "unclosed\nsteps: []\n',
      'noid.yml': 'title: No id\nsteps: []\n',
    });
    expect(mine(env)).toEqual([
      { id: 'broken', title: expect.stringMatching(/^\(invalid YAML/) as string, description: '' },
      { id: 'noid', title: 'No id', description: '' },
    ]);
  });
});
