import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './errors.js';
import { parseProfile, parseRunbook } from './load.js';

const lint = (text: string) =>
  parseRunbook(text, 'rb.yaml', { knownActions: new Set(['human.confirm']) }).diagnostics.map(
    formatDiagnostic,
  );

describe('runbook loading', () => {
  it('Given valid YAML, When parsed, Then a runbook comes back with no diagnostics', () => {
    const r = parseRunbook('id: a\ntitle: A\nsteps:\n  - id: one\n    run: echo hi\n', 'a.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.steps[0]?.run).toBe('echo hi');
  });
  it('Given a YAML syntax error, When parsed, Then file:line:col points at it', () => {
    const d = lint('id: a\ntitle: A\nsteps:\n  - id: one\n    run: [unclosed\n');
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]).toMatch(/^rb\.yaml:\d+:\d+ YAML: /);
  });
  it('Given several schema errors, When parsed, Then each is reported at its own line', () => {
    const d = lint(
      [
        'id: a', // 1
        'title: A',
        'colour: red', // 3 unknown field
        'steps:',
        '  - id: one', // 5 no uses/run
        '    title: nothing to do',
        '  - id: two',
        '    run: X=123${{ steps.nope.outputs.x }}', // 8 unknown step
        '    retries: 3', // 9 unknown field
      ].join('\n'),
    );
    expect(d).toContain("rb.yaml:3:1 unknown field 'colour'");
    expect(d.some((l) => l.startsWith('rb.yaml:5:5 a step needs exactly one of'))).toBe(true);
    expect(d.some((l) => l.startsWith("rb.yaml:9:5 unknown field 'retries'"))).toBe(true);
  });
  it('Given a reference to an unknown step, When parsed, Then the column points inside the expression', () => {
    const d = lint(
      'id: a\ntitle: A\nsteps:\n  - id: two\n    run: X=123${{ steps.nope.outputs.x }}\n',
    );
    expect(d).toEqual(["rb.yaml:5:19 expression: unknown step 'nope' in step 'two'"]);
  });
  it('Given a reference to a later step or an unknown root, When parsed, Then both are errors', () => {
    const d = lint(
      "id: a\ntitle: A\nsteps:\n  - id: one\n    run: X=123${{ steps.two.outputs.x }}\n  - id: two\n    if: secrets.x == 1\n    run: 'true'\n",
    );
    expect(d[0]).toMatch(/^rb\.yaml:5:\d+ expression: step 'two' does not run before step 'one'/);
    expect(d[1]).toMatch(/^rb\.yaml:7:9 expression: unknown name 'secrets'/);
  });
  it('Given an unknown action, When parsed, Then the uses value is pointed at', () => {
    expect(lint('id: a\ntitle: A\nsteps:\n  - id: one\n    uses: vault.nope\n')[0]).toMatch(
      /^rb\.yaml:5:11 unknown action 'vault.nope'/,
    );
  });
  it('Given duplicate ids and a bad on-failure target, When parsed, Then both are reported', () => {
    const d = lint(
      "id: a\ntitle: A\nsteps:\n  - id: one\n    run: 'true'\n    on-failure: rescue\n  - id: one\n    run: 'true'\n",
    );
    expect(d).toHaveLength(2);
    expect(d.join('\n')).toMatch(/duplicate step id 'one'/);
    expect(d.join('\n')).toMatch(/rb\.yaml:6:17 on-failure names unknown step 'rescue'/);
  });
  it('Given a missing required field, When parsed, Then the parent node is pointed at', () => {
    expect(lint('id: a\nsteps:\n  - id: one\n    run: x\n')).toEqual([
      "rb.yaml:1:1 missing required field 'title'",
    ]);
  });
});

describe('profile loading', () => {
  it('Given a profile without vault addresses, When parsed, Then it is rejected', () => {
    const r = parseProfile('name: prod\nvault: {}\n', 'p.yaml');
    expect(r.diagnostics.map(formatDiagnostic)[0]).toMatch(
      /^p\.yaml:2:8 give `addresses` or `discover`/,
    );
  });
});

describe('shell bodies in lint', () => {
  const body = (run: string): string[] =>
    lint(`id: a\ntitle: A\ninputs: [{ name: v }]\nsteps:\n  - id: one\n    run: |\n${run}\n`);

  it('Given an unquoted expression in a literal block, When linted, Then a warning points at its line and column and the runbook still loads', () => {
    expect(body('      echo ok\n      echo ${{ inputs.v }}')).toEqual([
      `rb.yaml:8:12 warning: expression: \${{ inputs.v }} in step 'one' is unquoted: bash splits its value into words and expands wildcards in it; write "\${{ inputs.v }}"`,
    ]);
    const r = parseRunbook(
      'id: a\ntitle: A\ninputs: [{ name: v }]\nsteps:\n  - { id: one, run: "echo ${{ inputs.v }}" }\n',
      'rb.yaml',
    );
    expect(r.value).toBeDefined();
  });

  it('Given quoted uses and assignments, When linted, Then nothing is reported', () => {
    expect(body('      V=${{ inputs.v }}\n      echo "${{ inputs.v }}" # ${{ inputs.v }}')).toEqual(
      [],
    );
  });

  it('Given an expression in single quotes or arithmetic, When linted, Then it is an error and the runbook does not load', () => {
    const d = body('      jq \'.v == "${{ inputs.v }}"\' f\n      echo $(( ${{ inputs.v }} + 1 ))');
    expect(d).toHaveLength(2);
    expect(d[0]).toMatch(/^rb\.yaml:7:18 expression: .*single quotes/);
    expect(d[1]).toMatch(/^rb\.yaml:8:16 expression: .*arithmetic/);
    expect(
      parseRunbook(`id: a\ntitle: A\nsteps:\n  - { id: one, run: "echo '\${{ run.id }}'" }\n`, 'x')
        .value,
    ).toBeUndefined();
  });

  it('Given shell chosen by an expression, When linted, Then it is an error', () => {
    const d = lint(
      'id: a\ntitle: A\ninputs: [{ name: v }]\nsteps:\n  - id: one\n    run: "true"\n    with: { shell: "${{ inputs.v }}" }\n',
    );
    expect(d).toEqual([
      "rb.yaml:7:20 shell: must be written out in the runbook (bash or sh), not computed by an expression, in step 'one'",
    ]);
  });
});
