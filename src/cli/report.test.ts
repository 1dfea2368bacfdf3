import { describe, expect, it } from 'vitest';
import { UsageError } from '../domain/errors.js';
import { report } from './program.js';

const TOKEN = 'hvs.CAESIJ4ld4pjfUk9HqyEqxRsObbYy4W0Bxg3G6kkzhbL2bV1';

function stderrOf(err: unknown): { code: number; text: string } {
  let text = '';
  const code = report(err, { stderr: { write: (s: string) => ((text += s), true) } });
  return { code, text };
}

describe('report: how an error reaches stderr', () => {
  it('Given an unexpected error whose message carries a token (a parser quoting what it read), When reported, Then the stack is shown with the token masked', () => {
    const { code, text } = stderrOf(
      new SyntaxError(`Unexpected token 'h', "${TOKEN}" is not valid JSON`),
    );
    expect(code).toBe(1);
    expect(text).toContain('unexpected error: SyntaxError');
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('‹redacted›');
  });

  it('Given a usage error carrying terminal escapes from a file, When reported, Then no control character reaches the terminal', () => {
    const { code, text } = stderrOf(
      new UsageError('no profile \x1b]0;owned\x07\x1b[2Jx', ['see \x1b[31m']),
    );
    expect(code).toBe(2);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });
});
