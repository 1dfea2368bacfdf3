import { describe, expect, it } from 'vitest';
import { ExpressionError } from './errors.js';
import {
  evaluateCondition,
  parseExpression,
  renderDeep,
  renderTemplate,
  Unknown,
  collectReferences,
} from './expr.js';

const ctx = {
  inputs: { version: '1.14.8', count: 3 },
  steps: { status: { outputs: { sealed: ['node-1', 'node-2'], progress: 2 } } },
  cluster: { nodes: [{ name: 'node-1', sealed: true }] },
  profile: { name: 'prod' },
  run: { id: 'r1' },
};

describe('expressions', () => {
  it('Given a whole-string expression, When rendered, Then the value keeps its type', () => {
    expect(renderTemplate('${{ steps.status.outputs.sealed }}', ctx)).toEqual(['node-1', 'node-2']);
    expect(renderTemplate('${{ inputs.count }}', ctx)).toBe(3);
  });
  it('Given text mixed with expressions, When rendered, Then it is a string', () => {
    expect(renderTemplate('upgrade to ${{ inputs.version }} on ${{ profile.name }}', ctx)).toBe(
      'upgrade to 1.14.8 on prod',
    );
    expect(renderTemplate('${{ length(steps.status.outputs.sealed) }} sealed', ctx)).toBe(
      '2 sealed',
    );
  });
  it('Given operators and functions, When evaluated, Then results follow precedence', () => {
    expect(
      evaluateCondition(
        'inputs.count >= 3 && contains(steps.status.outputs.sealed, "NODE-2")',
        ctx,
      ),
    ).toBe(true);
    expect(evaluateCondition('!(inputs.count == 3) || false', ctx)).toBe(false);
    expect(evaluateCondition('${{ cluster.nodes[0].sealed }}', ctx)).toBe(true);
    expect(
      renderTemplate("${{ format('{0}/{1}', steps.status.outputs.progress, inputs.count) }}", ctx),
    ).toBe('2/3');
    expect(renderTemplate("${{ join(steps.status.outputs.sealed, ' ') }}", ctx)).toBe(
      'node-1 node-2',
    );
  });
  it('Given an unknown root name, When evaluated, Then it is an error naming it', () => {
    expect(() => renderTemplate('${{ env.HOME }}', ctx)).toThrow(/unknown name 'env'/);
  });
  it('Given code-like input, When parsed, Then it is rejected rather than run', () => {
    expect(() => parseExpression('process.exit(1); 1')).toThrow(ExpressionError);
    expect(() => parseExpression('a => 1')).toThrow(ExpressionError);
    expect(() => renderTemplate('${{ constructor.constructor("x")() }}', ctx)).toThrow(
      ExpressionError,
    );
  });
  it('Given a prototype property name, When read, Then nothing from the prototype leaks', () => {
    expect(renderTemplate('${{ profile.__proto__ }}', ctx)).toBeUndefined();
    expect(renderTemplate('${{ profile.toString }}', ctx)).toBeUndefined();
  });
  it('Given symbolic mode, When a step output is missing, Then a placeholder names it', () => {
    const v = renderDeep(
      { n: '${{ steps.later.outputs.x }}' },
      { ...ctx, steps: { later: {} } },
      { symbolic: true },
    );
    expect((v as { n: unknown }).n).toBeInstanceOf(Unknown);
    expect(String((v as { n: unknown }).n)).toBe('<steps.later.outputs.x>');
  });
  it('Given symbolic mode, When a condition negates a later output, Then it stays unknown and the step is planned', () => {
    const c = { ...ctx, steps: { later: {} } };
    expect(evaluateCondition('!steps.later.outputs.pgp', c, { symbolic: true })).toBe(true);
    expect(evaluateCondition('steps.later.outputs.pgp', c, { symbolic: true })).toBe(true);
  });
  it('Given an expression, When references are collected, Then dotted paths and offsets come back', () => {
    const refs = collectReferences(parseExpression('steps.a.outputs.b == inputs.c'));
    expect(refs.map((r) => r.path.join('.'))).toEqual(['steps.a.outputs.b', 'inputs.c']);
    expect(refs[1]?.offset).toBe(21);
  });
  it('Given an unterminated template, When parsed, Then the error carries an offset', () => {
    expect(() => renderTemplate('x ${{ inputs.version', ctx)).toThrow(/closing/);
  });
});
