import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './errors.js';
import { evaluateCondition } from './expr.js';
import { parseRunbook } from './load.js';
import { Secret, REDACTED } from './secret.js';

const lint = (text: string) => parseRunbook(text, 'rb.yaml').diagnostics.map(formatDiagnostic);

const rb = (step: string) =>
  `id: a\ntitle: A\nsteps:\n  - id: one\n    run: echo hi\n  - id: two\n    run: echo again\n${step}`;

describe('recheck-on-resume and inMemory()', () => {
  it('Given a step with recheck-on-resume whose if: reads its own outputs, When linted, Then it is accepted; without recheck-on-resume the self-reference is an error', () => {
    const own = "    if: '!inMemory(steps.two.outputs.token)'\n";
    expect(
      lint(
        rb('').replace(
          '    run: echo again\n',
          `    run: echo again\n${own}    recheck-on-resume: true\n`,
        ),
      ),
    ).toEqual([]);
    expect(
      lint(rb('').replace('    run: echo again\n', `    run: echo again\n${own}`)).join('\n'),
    ).toMatch(/step 'two' does not run before step 'two'/);
  });

  it('Given recheck-on-resume without an if:, When linted, Then it says an if: is needed', () => {
    expect(
      lint(
        rb('').replace(
          '    run: echo again\n',
          '    run: echo again\n    recheck-on-resume: true\n',
        ),
      ).join('\n'),
    ).toMatch(/recheck-on-resume.*needs an `if:`/);
  });

  it('Given a secret output in memory and the same output after a resume (‹redacted›), When inMemory() is asked, Then only the first is in memory', () => {
    const ctx = (token: unknown) => ({ steps: { init: { outputs: { token } } } });
    expect(evaluateCondition('inMemory(steps.init.outputs.token)', ctx(new Secret('s.x')))).toBe(
      true,
    );
    expect(evaluateCondition('inMemory(steps.init.outputs.token)', ctx(REDACTED))).toBe(false);
    expect(evaluateCondition('inMemory(steps.init.outputs.token)', ctx(undefined))).toBe(false);
  });
});
