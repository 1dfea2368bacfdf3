import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../domain/errors.js';
import { resolveShellInput } from './shell-input.js';

const ctx = { inputs: { dir: '$(touch /tmp/x)', v: '1; reboot' } };

describe('a shell step input', () => {
  it('Given a command and a probe reading the same value, When resolved, Then both name one variable and the value is only in env', () => {
    const r = resolveShellInput(
      {
        command: 'deploy "${{ inputs.v }}"',
        probe: 'check "${{ inputs.v }}"',
        env: { VR_INPUTS_V: 'the author’s own' },
        cwd: '${{ inputs.dir }}',
        shell: 'sh',
      },
      ctx,
    );
    expect(r).toEqual({
      command: 'deploy "${VR_INPUTS_V_2}"',
      probe: 'check "${VR_INPUTS_V_2}"',
      env: { VR_INPUTS_V: 'the author’s own', VR_INPUTS_V_2: '1; reboot' },
      // A path for the process, never text for a shell.
      cwd: '$(touch /tmp/x)',
      shell: 'sh',
    });
  });

  it('Given shell chosen by an expression, When resolved, Then it is refused', () => {
    expect(() => resolveShellInput({ command: 'true', shell: '${{ inputs.v }}' }, ctx)).toThrow(
      ExpressionError,
    );
  });
});
