import { describe, expect, it } from 'vitest';
import { ExpressionError } from './errors.js';
import { Secret } from './secret.js';
import { compileShell, resolveShell, ShellNames } from './shell-template.js';

const ctx = {
  inputs: { version: '$(touch /tmp/pwned)', nodes: ['a', 'b'] },
  steps: { s: { outputs: { token: new Secret('hvs.abcdefghijklmnopqrstuvwxyz') } } },
};

const placeOf = (body: string): string[] => compileShell(body).references.map((r) => r.place);

describe('shell bodies', () => {
  it('Given a body with expressions, When resolved, Then the script names variables and the values are only in the environment', () => {
    const r = resolveShell(
      'echo "v=${{ inputs.version }}" ${{ inputs.version }} "${{ inputs.nodes }}"',
      ctx,
      new ShellNames(),
    );
    expect(r.script).toBe(
      'echo "v=${VR_INPUTS_VERSION}" ${VR_INPUTS_VERSION} "${VR_INPUTS_NODES}"',
    );
    expect(r.env).toEqual({
      VR_INPUTS_VERSION: '$(touch /tmp/pwned)',
      VR_INPUTS_NODES: '["a","b"]',
    });
    expect(r.script).not.toContain('touch');
  });

  it('Given a secret in a body, When resolved, Then it stays a Secret in the environment (never text)', () => {
    const r = resolveShell(
      'VAULT_TOKEN="${{ steps.s.outputs.token }}" vault token lookup',
      ctx,
      new ShellNames(),
    );
    expect(r.env.VR_STEPS_S_OUTPUTS_TOKEN).toBeInstanceOf(Secret);
    expect(r.script).not.toContain('hvs.');
  });

  it("Given a secret where bash would put it in a command's arguments, When resolved, Then it is refused (ps and /proc show arguments to every local user)", () => {
    for (const body of [
      'vault login "${{ steps.s.outputs.token }}"',
      '/bin/sh -c \'sleep 3\' argv0 "${{ steps.s.outputs.token }}"',
      'curl -H "X-Vault-Token: ${{ steps.s.outputs.token }}" https://127.0.0.1:8200',
      'vault login ${{ steps.s.outputs.token }}',
      'A=1 vault login --token="${{ steps.s.outputs.token }}"',
      'echo "$(vault login "${{ steps.s.outputs.token }}")"',
      'X=1; vault login "${X:-${{ steps.s.outputs.token }}}"',
    ])
      expect(() => resolveShell(body, ctx, new ShellNames()), body).toThrow(
        /a secret here would be in a command's arguments/,
      );
  });

  it('Given a secret in an assignment, a declaration or a here-document, When resolved, Then it is accepted: it reaches a variable, the environment or standard input', () => {
    for (const body of [
      'VAULT_TOKEN="${{ steps.s.outputs.token }}" vault token lookup',
      'export VAULT_TOKEN=${{ steps.s.outputs.token }}\nvault token lookup',
      'local t="${{ steps.s.outputs.token }}"',
      'vault login - <<EOF\n${{ steps.s.outputs.token }}\nEOF\n',
      '# not used: ${{ steps.s.outputs.token }}\ntrue',
    ])
      expect(
        resolveShell(body, ctx, new ShellNames()).env.VR_STEPS_S_OUTPUTS_TOKEN,
        body,
      ).toBeInstanceOf(Secret);
  });

  it("Given data that is not a secret in a command's arguments, When resolved, Then it is accepted as before", () => {
    expect(
      resolveShell('vault read "${{ inputs.version }}"', ctx, new ShellNames()).env
        .VR_INPUTS_VERSION,
    ).toBe('$(touch /tmp/pwned)');
  });

  it('Given names already taken by the step env, When named, Then expression variables do not collide', () => {
    const names = new ShellNames(['VR_INPUTS_VERSION']);
    expect(compileShell('${{ inputs.version }} ${{ inputs.version }}', names).script).toBe(
      '${VR_INPUTS_VERSION_2} ${VR_INPUTS_VERSION_2}',
    );
    expect(compileShell('${{ 1 + 1 }}').script).toBe('${VR_1_1}');
    expect(compileShell("${{ '' }}").script).toBe('${VR_EXPR}');
  });

  it.each([
    ['echo ${{ inputs.version }}', 'unquoted'],
    ['echo "a ${{ inputs.version }} b"', 'quoted'],
    ["echo '${{ inputs.version }}'", 'literal'],
    ["echo $'x ${{ inputs.version }}'", 'literal'],
    ['V=${{ inputs.version }} cmd', 'quoted'],
    ['export V=${{ inputs.version }}', 'quoted'],
    ['A=1 V=${{ inputs.version }} cmd', 'quoted'],
    ['echo key=${{ inputs.version }}', 'unquoted'],
    ['echo a; V=${{ inputs.version }}', 'quoted'],
    ['local -r V=${{ inputs.version }}', 'quoted'],
    ['echo $(( ${{ inputs.version }} + 1 ))', 'arithmetic'],
    ['(( ${{ inputs.version }} > 1 ))', 'arithmetic'],
    ['echo "$(printf %s "${{ inputs.version }}")"', 'quoted'],
    ['echo "$(printf %s ${{ inputs.version }})"', 'unquoted'],
    ['echo "it\'s ${{ inputs.version }}"', 'quoted'],
    ['# note ${{ inputs.version }}', 'comment'],
    ['echo a # ${{ inputs.version }}', 'comment'],
    ['echo a#${{ inputs.version }}', 'unquoted'],
    ['cat <<EOF\n${{ inputs.version }}\nEOF', 'quoted'],
    ["cat <<'EOF'\n${{ inputs.version }}\nEOF", 'literal'],
    ['cat <<\'EOF\'\nx\nEOF\necho "${{ inputs.version }}"', 'quoted'],
    ['jq --arg v "${{ inputs.version }}" \'.a == $v\' f', 'quoted'],
    ['echo "${X:-${{ inputs.version }}}"', 'quoted'],
    ['echo `echo ${{ inputs.version }}`', 'unquoted'],
  ])('Given %j, When scanned, Then the expression is %s', (body, place) => {
    expect(placeOf(body)).toEqual([place]);
  });

  it('Given an expression inside single quotes, When resolved, Then it is refused instead of spliced', () => {
    expect(() =>
      resolveShell('jq \'.v == "${{ inputs.version }}"\'', ctx, new ShellNames()),
    ).toThrow(ExpressionError);
    expect(() => resolveShell('echo $(( ${{ inputs.version }} ))', ctx, new ShellNames())).toThrow(
      /arithmetic/,
    );
  });
});
