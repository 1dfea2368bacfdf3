import type { Problem } from './check.js';
import { hasExpression, stringify } from './expr.js';
import { compileShell, refusal } from './shell-template.js';
import type { Path } from './yaml-values.js';

function bodyProblems(out: Problem[], body: unknown, path: Path, where: string): void {
  if (typeof body !== 'string' || !hasExpression(body)) return;
  let compiled;
  try {
    compiled = compileShell(body);
  } catch {
    return; // a malformed expression is reported by the expression checks
  }
  for (const ref of compiled.references) {
    // Point at the `${{` that opens the expression.
    const at = { inner: ref.offset - 3 };
    const why = refusal(ref.place);
    if (why) out.push({ path, at, message: `expression: \${{ ${ref.source} }} ${where}: ${why}` });
    else if (ref.place === 'unquoted')
      out.push({
        path,
        at,
        message: `expression: \${{ ${ref.source} }} ${where} is unquoted: bash splits its value into words and expands wildcards in it; write "\${{ ${ref.source} }}"`,
        severity: 'warning',
      });
  }
}

type Loose = Record<string, unknown> | undefined;

const get = (v: unknown, k: string): unknown =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;

/**
 * Shell bodies (`run:`, `probe:`, `uses: shell` with `command`/`probe`, precondition `run:`):
 * an expression where bash would not expand its variable, or would evaluate it as arithmetic,
 * is an error; one bash would word-split is a warning. `shell:` must be written out.
 */
export function shellProblems(raw: Loose): Problem[] {
  const out: Problem[] = [];
  const pres = get(raw, 'preconditions');
  if (Array.isArray(pres))
    pres.forEach((p, i) =>
      bodyProblems(out, get(p, 'run'), ['preconditions', i, 'run'], `in precondition ${i + 1}`),
    );
  const steps = get(raw, 'steps');
  if (!Array.isArray(steps)) return out;
  steps.forEach((step: unknown, i) => {
    const where = `in step '${stringify(get(step, 'id') ?? i + 1)}'`;
    const shellStep = get(step, 'run') !== undefined || get(step, 'uses') === 'shell';
    if (!shellStep) return;
    const w = get(step, 'with');
    bodyProblems(out, get(step, 'run'), ['steps', i, 'run'], where);
    bodyProblems(out, get(step, 'probe'), ['steps', i, 'probe'], where);
    bodyProblems(out, get(w, 'command'), ['steps', i, 'with', 'command'], where);
    bodyProblems(out, get(w, 'probe'), ['steps', i, 'with', 'probe'], where);
    const shell = get(w, 'shell');
    if (typeof shell === 'string' && hasExpression(shell))
      out.push({
        path: ['steps', i, 'with', 'shell'],
        message: `shell: must be written out in the runbook (bash or sh), not computed by an expression, ${where}`,
      });
  });
  return out;
}
