import { ExpressionError } from '../domain/errors.js';
import { hasExpression, renderDeep, type EvalOptions, type ExprContext } from '../domain/expr.js';
import type { Step } from '../domain/schema.js';
import { resolveShell, ShellNames } from '../domain/shell-template.js';

/** A step that runs a shell body: `run:`, or `uses: shell` with `with.command`. */
export function isShellStep(step: Step): boolean {
  return step.run !== undefined || step.uses === 'shell';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Resolves a shell step's input. `command` and `probe` are bodies: their expressions become
 * environment variables (see shell-template.ts), never text in the script. `cwd` is a value
 * (a path given to the process, not to the shell) and `shell` must be written out in the
 * runbook: an expression choosing the interpreter would be a value choosing what runs.
 */
export function resolveShellInput(
  raw: Record<string, unknown>,
  ctx: ExprContext,
  opts: EvalOptions = {},
): Record<string, unknown> {
  const { command, probe, shell, env, ...rest } = raw;
  if (typeof shell === 'string' && hasExpression(shell))
    throw new ExpressionError(
      'shell: must be written out in the runbook (bash or sh), not computed by an expression',
    );
  const out: Record<string, unknown> = renderDeep(rest, ctx, opts) as Record<string, unknown>;
  const userEnv = env === undefined ? {} : renderDeep(env, ctx, opts);
  if (!isPlainObject(userEnv)) {
    // Not a map: left for the action's schema to reject with a proper message.
    out.env = userEnv;
    if (command !== undefined) out.command = command;
    return out;
  }
  const names = new ShellNames(Object.keys(userEnv));
  const exprEnv: Record<string, unknown> = {};
  for (const [field, body] of [
    ['command', command],
    ['probe', probe],
  ] as const) {
    if (body === undefined) continue;
    if (typeof body !== 'string') {
      out[field] = body;
      continue;
    }
    const r = resolveShell(body, ctx, names, opts);
    out[field] = r.script;
    Object.assign(exprEnv, r.env);
  }
  if (shell !== undefined) out.shell = shell;
  const allEnv = { ...userEnv, ...exprEnv };
  if (Object.keys(allEnv).length) out.env = allEnv;
  return out;
}
