import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './load.js';
import { mayHaveCollectionKey, readYamlValue } from './yaml-values.js';

/**
 * One parser decides values (js-yaml, yaml-values.ts); the `yaml` package only places problems.
 * The two must never disagree silently: for every document here, js-yaml's value deep-equals
 * what `yaml` reads (its toJS), or the loader refuses the document with a one-line diagnostic.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** Documents where the two parsers could differ: scalars, keys, tags, aliases, layout. */
const EDGES = [
  '',
  '# only a comment\n',
  'a: 017',
  'a: 1_000',
  'a: 0o17',
  'a: 0x1F',
  'a: 0b101',
  'a: 1e3',
  'a: -1.5E-3',
  'a: .inf',
  'a: -.Inf',
  'a: +.inf',
  'a: .nan',
  'a: 1.',
  'a: .5',
  'a: -.5',
  'a: +1',
  'a: -0',
  'a: 12345678901234567890',
  'a: 08',
  'a: 0.5e',
  'a: 1:20',
  'a: yes',
  'a: on',
  'a: Off',
  'a: y',
  'a: 2001-12-14',
  'a: 2001-12-14t21:59:43.10-05:00',
  'a: Null',
  'a: NULL',
  'a: nULL',
  'a: ~',
  'a:',
  'a: TRUE',
  'a: tRUE',
  'a: True',
  'a: !!binary aGVsbG8=',
  'a: !foo x',
  'a: !!str 1',
  'a: !!int "3"',
  'a: !!float 1',
  'a: !!bool yes',
  'a: !!null ""',
  'a: !!map {b: 1}',
  'a: !<tag:yaml.org,2002:str> 5',
  '<<: {b: 1}\nc: 2',
  'a: &x {b: 1}\nc:\n  <<: *x',
  'a: &x {b: 1}\nc: *x\nd: [*x, *x]',
  'a: &x 1\nb: *x',
  'a: &a [*a]',
  '1: a',
  '~: a',
  'null: a',
  '"null": a',
  '? [a, b]\n: c',
  '? {a: 1}\n: c',
  '? [a]\n: c',
  '[a]: b',
  '{a: 1}: b',
  '? a\n: b',
  'true: 1',
  '1.0: x',
  '0x10: a',
  '"": a',
  '\ufeffa: 1',
  '---\na: 1\n---\nb: 2',
  'a: 1\n...\n',
  '--- a\n',
  '%YAML 1.1\n---\na: yes',
  '%TAG !e! tag:example.com,2000:\n---\na: !e!x 1',
  '__proto__: {x: 1}',
  'a: "\\x41\\u00e9\\N\\_\\L\\P"',
  'a: "\\t\\"\\/"',
  "a: 'it''s'",
  'a: |+\n  x\n\n',
  'a: |-\n  x\n',
  'a: |2\n    x\n   y\n',
  'a: >-\n  x\n  y\n\n  z',
  'a: >\n  x\n   indented\n  y\n',
  'a: b\n  c',
  'a: "b\n  c"',
  "a: 'b\n\n  c'",
  'a: \t1',
  'a:\tb',
  'a: b\r\nc: d\r\n',
  'a: "x\u2028y"',
  'a: [1, 2,]',
  'a: {b, c}',
  'a: {b: , c: }',
  'a: [a: b]',
  '- a\n- b',
  '- - a\n  - b\n- c: d\n  e: f',
  'x',
  '"x"',
  'a: b # c\nd: "e # f"',
  'a: b#c',
  'a: x\na: y',
  'a: [unclosed',
  'a: "unclosed',
  'a:\n  - b\n - c',
  'a: @x',
  'a: `x',
  'a: \u0001',
  'a: x\u0000',
  'key with spaces: v',
  'a: - b',
  'a: -b',
  'a: ?b',
  'a: :b',
  'a: b:c',
  'a: http://x:8200',
  'a: "${{ inputs.x }}"',
  'a: ${{ inputs.x }}',
  'a: |\n  echo "${{ inputs.x }}"\n',
];

function yamlReading(text: string): { errors: boolean; value?: unknown } {
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
    if (doc.errors.length) return { errors: true };
    return { errors: false, value: doc.toJS() };
  } catch {
    return { errors: true };
  }
}

/** The loader's verdict: a one-line diagnostic that refuses the text itself, or none. */
function refusal(text: string): string | undefined {
  const r = lintYaml(text, 'doc.yaml');
  return r.diagnostics
    .map((d) => d.message)
    .find((m) => /^YAML: |^not UTF-8|^file is larger/.test(m));
}

function expectParity(name: string, text: string): void {
  const mine = readYamlValue(text);
  const theirs = yamlReading(text);
  const refused = refusal(text);
  if (refused !== undefined) {
    expect(refused, name).not.toMatch(/\n/);
    return;
  }
  expect(mine.ok, `${name}: js-yaml refused, the loader did not`).toBe(true);
  expect(theirs.errors, `${name}: yaml refuses what the loader accepts`).toBe(false);
  if (mine.ok) expect(mine.value, name).toStrictEqual(theirs.value);
}

describe('one parser decides values', () => {
  it('Given every runbook and YAML fixture in the tree, When read, Then js-yaml and yaml agree on every value', () => {
    const files = [
      ...yamlFiles(join(ROOT, 'runbooks')),
      ...yamlFiles(join(ROOT, 'test')),
      ...yamlFiles(join(ROOT, 'src')),
    ];
    expect(files.length).toBeGreaterThan(12);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const name = relative(ROOT, f);
      if (/bad-syntax/.test(name)) expect(refusal(text), name).toBeDefined();
      else {
        expect(readYamlValue(text).ok, name).toBe(true);
        expectParity(name, text);
      }
    }
  });

  it.each(EDGES.map((t) => [JSON.stringify(t), t]))(
    'Given the edge document %s, When read, Then the value is what yaml reads or the loader refuses it in one line',
    (name, text) => expectParity(name, text),
  );

  it('Given documents the parsers read differently, When loaded, Then each is refused (not read silently one way)', () => {
    for (const text of [
      'a: !!binary aGVsbG8=',
      'a: !foo x',
      '%YAML 1.1\n---\na: yes',
      '~: a',
      '? [a]\n: c',
      '[a, b]: c',
      '<<: {b: 1}',
      'a: &a [*a]',
    ])
      expect(refusal(text), text).toBeDefined();
  });

  it('Given a plain document, When screened for list or map keys, Then it needs no second parser', () => {
    const text = readFileSync(join(ROOT, 'runbooks', 'unseal.yaml'), 'utf8');
    expect(mayHaveCollectionKey(text)).toBe(false);
    expect(mayHaveCollectionKey('? [a]\n: b')).toBe(true);
    expect(mayHaveCollectionKey('a:\n  [x]: b')).toBe(true);
  });
});
