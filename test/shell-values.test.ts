import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, runIdFrom, tempState } from './support/cli.js';

/**
 * Values from inputs, step outputs, profiles, answers and the journal reach a `run:` body as
 * environment variables: whatever they contain is printed, never run, and never in argv.
 */
const attacks = (pwned: string): string[] => [
  `$(touch ${pwned})`,
  `"; touch ${pwned}; echo "`,
  `\`touch ${pwned}\``,
  // A Vault `version` with `;` once split a command in two.
  `1.14.8; touch ${pwned}`,
];

function setup(): { dir: string; env: NodeJS.ProcessEnv; pwned: string } {
  const { dir, env } = tempState();
  return { dir, env, pwned: join(dir, 'pwned') };
}

/** Step output lines the headless reporter printed (`│ …`). */
function printed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('    │ '))
    .map((l) => l.slice(6));
}

const ECHO_BOTH = `
    run: |
      printf 'quoted=%s\\n' "\${{ inputs.v }}"
      printf 'bare=%s\\n' \${{ inputs.v }}`;

describe('expression values in shell bodies', () => {
  it.each([0, 1, 2, 3])(
    'Given an input value that is shell code (case %i), When a run: body and a precondition use it quoted and bare, Then nothing runs and the quoted value is printed literally',
    async (i) => {
      const { dir, env, pwned } = setup();
      const value = attacks(pwned)[i] ?? '';
      const rb = join(dir, 'rb.yaml');
      writeFileSync(
        rb,
        `id: t\ntitle: T\ninputs: [{ name: v }]\npreconditions:\n  - run: test -n "\${{ inputs.v }}"\n    message: value given\nsteps:\n  - id: show${ECHO_BOTH}\n`,
      );
      const r = await cli(['run', rb, '--var', `v=${value}`], env);
      expect(existsSync(pwned)).toBe(false);
      expect(r.exitCode).toBe(0);
      expect(printed(r.stdout)).toContain(`quoted=${value}`);
    },
  );

  it('Given an input with a newline, When used bare, Then its words are printed and the second line is not run', async () => {
    const { dir, env, pwned } = setup();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      `id: t\ntitle: T\ninputs: [{ name: v }]\nsteps:\n  - id: show\n    run: printf '%s\\n' \${{ inputs.v }}\n`,
    );
    const r = await cli(['run', rb, '--var', `v=a\ntouch ${pwned}`], env);
    expect(r.exitCode).toBe(0);
    expect(existsSync(pwned)).toBe(false);
    expect(printed(r.stdout)).toEqual(['a', 'touch', pwned]);
  });

  it("Given a step output (::set-output) that is shell code, When a later step's body uses it, Then it is printed, not run", async () => {
    const { dir, env, pwned } = setup();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      [
        'id: t',
        'title: T',
        'steps:',
        '  - id: make',
        '    env: { V: "$(touch ' + pwned + ')" }',
        `    run: echo "::set-output x=$V"`,
        '  - id: use',
        '    run: echo "got ${{ steps.make.outputs.x }}" ${{ steps.make.outputs.x }}',
        '',
      ].join('\n'),
    );
    const r = await cli(['run', rb], env);
    expect(r.exitCode).toBe(0);
    expect(existsSync(pwned)).toBe(false);
    expect(printed(r.stdout)[0]).toBe(`got $(touch ${pwned}) $(touch ${pwned})`);
  });

  it('Given a profile field that is shell code, When a body uses it, Then it is printed, not run', async () => {
    const { dir, env, pwned } = setup();
    const value = `"; touch ${pwned}; echo "`;
    const profile = join(dir, 'p.yaml');
    writeFileSync(
      profile,
      `name: p\ndescription: ${JSON.stringify(value)}\nvault: { addresses: ['https://127.0.0.1:1'] }\n`,
    );
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      `id: t\ntitle: T\nsteps:\n  - id: show\n    run: echo "desc \${{ profile.description }}"\n`,
    );
    const r = await cli(['run', rb, '--profile', profile], env);
    expect(r.exitCode).toBe(0);
    expect(existsSync(pwned)).toBe(false);
    expect(printed(r.stdout)).toContain(`desc ${value}`);
  });

  it('Given an --answers value that is shell code, When a body uses the answer, Then it is printed, not run', async () => {
    const { dir, env, pwned } = setup();
    const value = `$(touch ${pwned})`;
    const answers = join(dir, 'a.yaml');
    writeFileSync(answers, `ask: ${JSON.stringify(value)}\n`);
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      `id: t\ntitle: T\nsteps:\n  - { id: ask, uses: human.input, with: { message: name? } }\n  - id: show\n    run: echo "answer \${{ steps.ask.outputs.value }}"\n`,
    );
    const r = await cli(['run', rb, '--answers', answers], env);
    expect(r.exitCode).toBe(0);
    expect(existsSync(pwned)).toBe(false);
    expect(printed(r.stdout)).toContain(`answer ${value}`);
  });

  it('Given a resumed run, When its later step uses an input and an output read back from the journal, Then they are printed, not run', async () => {
    const { dir, env, pwned } = setup();
    const value = `"; touch ${pwned}; echo "`;
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      [
        'id: t',
        'title: T',
        'inputs: [{ name: v }]',
        'steps:',
        '  - id: make',
        '    run: echo "::set-output x=${{ inputs.v }}"',
        '  - { id: ok, uses: human.confirm, with: { message: go on? } }',
        '  - id: use',
        '    run: echo "in ${{ inputs.v }} out ${{ steps.make.outputs.x }}"',
        '',
      ].join('\n'),
    );
    const first = await cli(['run', rb, '--var', `v=${value}`], env);
    expect(first.exitCode).toBe(10);
    const answers = join(dir, 'a.yaml');
    writeFileSync(answers, 'ok: yes\n');
    const r = await cli(['resume', runIdFrom(first.stdout), '--answers', answers], env);
    expect(r.exitCode).toBe(0);
    expect(existsSync(pwned)).toBe(false);
    expect(printed(r.stdout)).toContain(`in ${value} out ${value}`);
  });

  it("Given a value in a body, When the command runs, Then its process's argv holds only the variable's name", async () => {
    const { dir, env } = setup();
    const marker = `MARK${Math.random().toString(36).slice(2)}`;
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      `id: t\ntitle: T\ninputs: [{ name: v }]\nsteps:\n  - id: show\n    run: |\n      : "\${{ inputs.v }}"\n      tr '\\0' ' ' < /proc/$$/cmdline; echo\n`,
    );
    const r = await cli(['run', rb, '--var', `v=${marker}`], env);
    expect(r.exitCode).toBe(0);
    const argv = printed(r.stdout)[0] ?? '';
    expect(argv).toMatch(/^bash -c .*\$\{VR_INPUTS_V\}/);
    expect(argv).not.toContain(marker);
  });

  it('Given an expression inside single quotes in a body, When run, Then the run is refused before any step', async () => {
    const { dir, env, pwned } = setup();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      `id: t\ntitle: T\ninputs: [{ name: v }]\nsteps:\n  - id: show\n    run: sh -c 'echo \${{ inputs.v }}'\n`,
    );
    const r = await cli(['run', rb, '--var', `v=$(touch ${pwned})`], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/rb\.yaml:6:\d+ expression: .*single quotes/);
    expect(existsSync(pwned)).toBe(false);
    expect(readdirSync(dir)).not.toContain('pwned');
  });

  it('Given a cwd from an input that is shell code, When the step runs, Then it fails as a missing directory and nothing runs', async () => {
    const { dir, env, pwned } = setup();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      `id: t\ntitle: T\ninputs: [{ name: d }]\nsteps:\n  - id: show\n    run: pwd\n    with: { cwd: "\${{ inputs.d }}" }\n`,
    );
    const r = await cli(['run', rb, '--var', `d=$(touch ${pwned})`], env);
    expect(r.exitCode).toBe(1);
    expect(existsSync(pwned)).toBe(false);
  });
});
