import { UsageError } from '../domain/errors.js';
import { renderDeep, stringify } from '../domain/expr.js';
import type { Profile, Runbook } from '../domain/schema.js';

export function parseVars(vars: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`--var needs key=value, got '${v}'`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

export function resolveInputs(
  rb: Runbook,
  vars: Record<string, string>,
  profile: Profile | undefined,
  cluster: unknown = {},
): Record<string, unknown> {
  const declared = new Map((rb.inputs ?? []).map((i) => [i.name, i]));
  for (const k of Object.keys(vars))
    if (!declared.has(k))
      throw new UsageError(`runbook '${rb.id}' has no input '${k}'`, [
        `its inputs: ${[...declared.keys()].join(', ') || '(none)'}`,
      ]);
  const inputs: Record<string, unknown> = {};
  for (const input of rb.inputs ?? []) {
    let v: unknown = vars[input.name];
    if (v === undefined && input.default !== undefined)
      v = renderDeep(input.default, {
        inputs,
        profile: profile ?? {},
        cluster,
        steps: {},
        run: {},
      });
    if ((v === undefined || v === '') && input.required)
      throw new UsageError(
        `runbook '${rb.id}' needs input '${input.name}'${input.description ? ` (${input.description})` : ''}`,
        [`--var ${input.name}=…`],
      );
    if (input.choices && v !== undefined && !input.choices.includes(stringify(v)))
      throw new UsageError(
        `input '${input.name}' must be one of ${input.choices.join(', ')}, not '${stringify(v)}'`,
      );
    inputs[input.name] = v;
  }
  return inputs;
}
