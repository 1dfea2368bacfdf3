import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './errors.js';
import { lintYaml, parseProfile, parseRunbook } from './load.js';

/**
 * Hostile documents: each is a one-line diagnostic (or a normal result), never a hang, a stack
 * trace or a value expanded beyond reason.
 */

const lines = (text: string): string[] =>
  lintYaml(text, 'h.yaml').diagnostics.map(formatDiagnostic);

/** Nine levels of nine aliases: 9^9 strings once expanded ("billion laughs"). */
function aliasBomb(
  tail = ['steps:', '  - id: x', '    run: "true"', '    env: { X: *a9 }'],
): string {
  const out = ['id: bomb', 'title: Bomb', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++)
    out.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  out.push(...tail);
  return `${out.join('\n')}\n`;
}

describe('hostile runbooks and profiles', () => {
  it('Given an alias bomb, When loaded, Then it is one diagnostic about aliases and nothing is expanded', () => {
    for (const text of [aliasBomb(), aliasBomb(['vault: *a9'])]) {
      const d = lines(text);
      expect(d).toHaveLength(1);
      expect(d[0]).toMatch(/^h\.yaml:\d+:\d+ YAML: aliases expand/);
    }
    expect(parseRunbook(aliasBomb(), 'h.yaml').value).toBeUndefined();
    expect(parseProfile(aliasBomb(['vault: *a9']), 'h.yaml').diagnostics).toHaveLength(1);
  });

  it('Given a few aliases of a small node, When loaded, Then they are read as written', () => {
    const r = parseRunbook(
      'id: a\ntitle: A\nsteps:\n  - id: one\n    run: "true"\n    env: &e { X: "1" }\n  - id: two\n    run: "true"\n    env: *e\n',
      'a.yaml',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.steps[1]?.env).toEqual({ X: '1' });
  });

  it('Given an alias inside the node it names, When loaded, Then it is refused in one line', () => {
    const d = lines('id: a\ntitle: A\nx: &a [1, *a]\n');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^h\.yaml:\d+:\d+ YAML: /);
  });

  it('Given flow collections nested 100000 deep, When loaded, Then it is one diagnostic', () => {
    const d = lines(`id: d\ntitle: D\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^h\.yaml:3:\d+ YAML: nested more than 64 levels deep$/);
  });

  it('Given maps nested 100 deep, When loaded, Then it is refused where the nesting goes too deep', () => {
    let text = 'id: d\ntitle: D\nx:\n';
    for (let i = 1; i <= 100; i++) text += `${' '.repeat(i)}k${i}:\n`;
    const d = lines(text);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^h\.yaml:\d+:\d+ YAML: nested more than 64 levels deep$/);
  });

  it('Given a 5 MB file, When loaded, Then it is one diagnostic at once (yaml took minutes)', () => {
    const step = (i: number) => `  - id: s${i}\n    run: echo "\${{ inputs.nope }} ${i}"\n`;
    let text = 'id: big\ntitle: Big\nsteps:\n';
    for (let i = 0; text.length < 5_000_000; i++) text += step(i);
    expect(lines(text)).toEqual(['h.yaml:1:1 file is larger than 1 MB: not a runbook or profile']);
    expect(parseRunbook(text, 'h.yaml').value).toBeUndefined();
  });

  it('Given a file that is not UTF-8, When read as UTF-8 and loaded, Then it is refused at the first bad byte', () => {
    const text = Buffer.from('id: l\ntitle: caf\xe9\nsteps: []\n', 'latin1').toString('utf8');
    expect(lines(text)).toEqual(['h.yaml:2:11 not UTF-8 text (or holds U+FFFD)']);
  });

  it('Given a control character or an unknown tag, When loaded, Then it is one YAML diagnostic where it is', () => {
    expect(lines('id: a\ntitle: "x\u0001"\n')).toEqual([
      expect.stringMatching(/^h\.yaml:2:\d+ YAML: /) as string,
    ]);
    expect(lines('id: a\ntitle: !!binary aGVsbG8=\n')).toEqual([
      expect.stringMatching(/^h\.yaml:2:\d+ YAML: unknown tag/) as string,
    ]);
  });

  it('Given a merge key, a null key or a list as a key, When loaded, Then each is refused at its key', () => {
    expect(lines('id: a\ntitle: A\nsteps:\n  - <<: {id: x}\n    run: "true"\n')).toEqual([
      'h.yaml:4:5 YAML: merge keys (<<) are not supported: write the fields out',
    ]);
    expect(lines('id: a\ntitle: A\n~: x\n')[0]).toMatch(/^h\.yaml:3:1 YAML: a null key/);
    expect(lines('id: a\ntitle: A\n[a]: x\n')).toEqual([
      'h.yaml:3:1 YAML: a list or a map as a key is not supported',
    ]);
  });

  it('Given YAML 1.1 asked for by a directive, When loaded, Then it is refused (yes would be true there)', () => {
    expect(lines('%YAML 1.1\n---\nid: a\n')).toEqual([
      'h.yaml:1:1 YAML: directives (%YAML, %TAG) are not supported',
    ]);
  });
});
