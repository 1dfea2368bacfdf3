import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listRunbooks, packageRoot, plainHead } from './runbooks.js';

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

describe('plainHead (list and the home screen without the YAML parser)', () => {
  // Each head either reads exactly as YAML reads it, or is left to the parser (undefined).
  const heads: Record<string, string> = {
    plain: 'id: a\ntitle: A title — with (parens), [brackets], C#, a:b and 50%\n',
    literal: 'id: a\ntitle: T\ndescription: |\n  one\n\n    two, indented more\n  three\n\n\n',
    stripped: 'title: T\ndescription: |-\n  one\n  two\n',
    leadingBlank: 'title: T\ndescription: |\n\n  after a blank line\n',
    trailingSpaces: 'title: T   \nid: x \n',
    folded: 'title: T\ndescription: >\n  one\n  two\n',
    keep: 'title: T\ndescription: |+\n  one\n\n',
    indicator: 'title: T\ndescription: |2\n    one\n',
    quoted: 'title: "quoted: \\u00e9"\n',
    single: "title: 'it''s'\n",
    number: 'title: 12\n',
    float: 'title: .5\n',
    bool: 'title: True\n',
    nul: 'title: null\n',
    tilde: 'title: ~\n',
    empty: 'title:\nid: x\n',
    comment: 'title: T # a comment\n',
    commentLine: '# about\ntitle: T\n',
    multiLinePlain: 'title: one\n  two\n',
    multiLineAfterBlank: 'title: one\n\n  two\n',
    anchor: 'title: &t T\n',
    tag: 'title: !!str 12\n',
    flow: 'title: [a, b]\n',
    dash: 'title: - x\n',
    duplicate: 'title: A\ntitle: B\n',
    tab: 'title: a\tb\n',
    tabInBlock: 'title: T\ndescription: |\n  a\tb\n',
    crlf: 'title: T\r\nid: x\r\n',
    lessIndented: 'title: T\ndescription: |\n    four\n  two\n',
    spacesOnlyLine: 'title: T\ndescription: |\n  one\n   \n  two\n',
    blockTitle: 'title: |\n  T\n',
    colonEnd: 'title: T:\n',
    bom: '\ufeffid: a\ntitle: T\n',
  };
  for (const [name, text] of Object.entries(heads))
    it(`Given a head written ${name}, When read without the parser, Then it is YAML's reading or left to the parser`, () => {
      const quick = plainHead(text);
      let yaml: unknown;
      try {
        yaml = parse(text);
      } catch {
        yaml = 'an error';
      }
      if (quick !== undefined) expect(quick).toEqual(yaml);
    });

  it('Given the shipped runbooks, When their heads are read, Then none needs the parser', () => {
    const dir = join(packageRoot(), 'runbooks');
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      const head = text.slice(0, text.search(/^(?!id:|title:|description:)[a-z]/m));
      expect(plainHead(head), f).toEqual(parse(head));
    }
  });

  it('Given the plain heads, When read, Then the parser is not needed for them (the fast path is taken)', () => {
    for (const name of ['plain', 'literal', 'stripped', 'leadingBlank', 'trailingSpaces'])
      expect(plainHead(heads[name] ?? ''), name).toBeDefined();
  });
});
