import { isScalar, type Node } from 'yaml';
import type { Diagnostic } from './errors.js';
import { hasExpression, stringify } from './expr.js';
import { compileShell, refusal } from './shell-template.js';
import type { Locator, Path } from './yaml-locate.js';

function bodyDiagnostics(loc: Locator, path: Path, where: string): Diagnostic[] {
  const node = loc.doc.getIn(path, true) as Node | undefined;
  if (!isScalar(node) || typeof node.value !== 'string') return [];
  let compiled;
  try {
    compiled = compileShell(node.value);
  } catch {
    return []; // a malformed expression is reported by the expression checks
  }
  const out: Diagnostic[] = [];
  for (const ref of compiled.references) {
    // Point at the `${{` that opens the expression.
    const at = loc.offsetInScalar(node, ref.offset - 3);
    const why = refusal(ref.place);
    if (why) out.push(loc.at(at, `expression: \${{ ${ref.source} }} ${where}: ${why}`));
    else if (ref.place === 'unquoted')
      out.push({
        ...loc.at(
          at,
          `expression: \${{ ${ref.source} }} ${where} is unquoted: bash splits its value into words and expands wildcards in it; write "\${{ ${ref.source} }}"`,
        ),
        severity: 'warning',
      });
  }
  return out;
}

interface RawStep {
  id?: unknown;
  run?: unknown;
  uses?: unknown;
  with?: unknown;
}

/**
 * Shell bodies (`run:`, `probe:`, `uses: shell` with `command`/`probe`, precondition `run:`):
 * an expression where bash would not expand its variable, or would evaluate it as arithmetic,
 * is an error; one bash would word-split is a warning. `shell:` must be written out.
 */
export function shellDiagnostics(
  loc: Locator,
  raw: { preconditions?: unknown; steps?: unknown },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const pres = Array.isArray(raw.preconditions) ? raw.preconditions : [];
  pres.forEach((_p, i) =>
    out.push(...bodyDiagnostics(loc, ['preconditions', i, 'run'], `in precondition ${i + 1}`)),
  );
  const steps = (Array.isArray(raw.steps) ? raw.steps : []) as RawStep[];
  steps.forEach((step, i) => {
    const where = `in step '${stringify(step?.id ?? i + 1)}'`;
    const shellStep = step?.run !== undefined || step?.uses === 'shell';
    if (!shellStep) return;
    for (const p of [
      ['steps', i, 'run'],
      ['steps', i, 'probe'],
      ['steps', i, 'with', 'command'],
      ['steps', i, 'with', 'probe'],
    ])
      out.push(...bodyDiagnostics(loc, p, where));
    const shell = loc.doc.getIn(['steps', i, 'with', 'shell'], true) as Node | undefined;
    if (isScalar(shell) && typeof shell.value === 'string' && hasExpression(shell.value))
      out.push(
        loc.at(
          loc.offsetOf(shell),
          `shell: must be written out in the runbook (bash or sh), not computed by an expression, ${where}`,
        ),
      );
  });
  return out;
}
