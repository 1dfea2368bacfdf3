import { describe, expect, it } from 'vitest';
import { Secret } from '../domain/secret.js';
import { LineReporter } from '../headless/reporter.js';
import { FakeProcess, interpreterFor, runbookFrom } from '../test-support/fakes.js';
import type { ProcessRunOptions } from './ports.js';

/** A process that prints these lines on stdout, as the real one reports them. */
function printing(lines: string[]): FakeProcess {
  return new FakeProcess((_cmd: string, opts: ProcessRunOptions) => {
    for (const l of lines) opts.onLine('stdout', l);
    return { exitCode: 0, stdout: lines.map((l) => `${l}\n`).join(''), stderr: '' };
  });
}

const TWO_STEPS = `id: t
title: T
steps:
  - id: make
    run: make-a-token
  - id: use
    run: TOKEN="\${{ steps.make.outputs.token }}" use
    env: { OUT: "\${{ steps.make.outputs.stdout }}" }
`;

function run(lines: string[]) {
  const proc = printing(lines);
  const { run, events, interpreter } = interpreterFor(runbookFrom(TWO_STEPS), { process: proc });
  let screen = '';
  const reporter = new LineReporter({ write: (s: string) => (screen += s) });
  return {
    proc,
    go: async () => {
      // The headless reporter sees what the journal sees: attach it through the interpreter's
      // own observer list by replaying the recorded events.
      const result = await run();
      for (const e of events) reporter.onEvent(e, interpreter.state);
      return { result, journal: JSON.stringify(events), screen, state: interpreter.state };
    },
  };
}

describe('secrets a step prints', () => {
  it('Given a step that marks a value with ::add-mask::, When it prints it, Then the journal, outputs.stdout and the headless output show ‹redacted›', async () => {
    const value = 'opaque-secret-value-42';
    const t = run([`::add-mask::${value}`, `the value is ${value}`, `::set-output token=${value}`]);
    const { result, journal, screen, state } = await t.go();
    expect(result).toMatchObject({ exitCode: 0 });
    expect(journal).not.toContain(value);
    expect(screen).not.toContain(value);
    expect(screen).toContain('the value is ‹redacted›');
    expect(journal).not.toContain('add-mask');
    const make = state.steps.make;
    if (make?.kind !== 'succeeded') throw new Error('make did not succeed');
    expect(make.outputs.stdout).toBe('the value is ‹redacted›\n::set-output token=‹redacted›');
    // A set-output holding a masked value is a Secret: usable whole, never shown.
    expect(make.outputs.token).toBeInstanceOf(Secret);
  });

  it('Given a step that prints a Vault token without marking it, When it runs, Then the token is masked everywhere by default', async () => {
    const token = 'hvs.CAESIJ4ld4pjfUk9HqyEqxRsObbYy4W0Bxg3G6kkzhbL2bV1';
    const t = run([`created ${token}`, `::set-output token=${token}`]);
    const { journal, screen, state } = await t.go();
    expect(journal).not.toContain(token);
    expect(screen).not.toContain(token);
    expect(screen).toContain('created ‹redacted›');
    const make = state.steps.make;
    expect(make?.kind === 'succeeded' && String(make.outputs.stdout)).toBe(
      'created ‹redacted›\n::set-output token=‹redacted›',
    );
  });

  it('Given a masked output, When a later step uses it in its body, Then the command gets the real value in its environment', async () => {
    const value = 'opaque-secret-value-42';
    const seen: Record<string, string>[] = [];
    const proc = new FakeProcess((_cmd, opts) => {
      seen.push({ ...opts.env });
      if (seen.length === 1) {
        opts.onLine('stdout', `::add-mask::${value}`);
        opts.onLine('stdout', `::set-output token=${value}`);
      }
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    const { run: go } = interpreterFor(runbookFrom(TWO_STEPS), { process: proc });
    await expect(go()).resolves.toMatchObject({ exitCode: 0 });
    expect(proc.calls[1]).toBe('TOKEN="${VR_STEPS_MAKE_OUTPUTS_TOKEN}" use');
    expect(seen[1]?.VR_STEPS_MAKE_OUTPUTS_TOKEN).toBe(value);
  });

  it('Given output with terminal escape sequences, When it is journaled and reported, Then no control character is left', async () => {
    const t = run(['\x1b]0;owned\x07\x1b[2Jversion 1.14.8\x1b[31m\r', 'plain']);
    const { journal, screen } = await t.go();
    expect(journal).toContain('version 1.14.8');
    // eslint-disable-next-line no-control-regex
    expect(screen).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(journal).not.toMatch(/\\u001b|\\r|\\u0007/);
  });
});
