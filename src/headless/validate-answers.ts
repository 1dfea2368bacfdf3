import { UsageError } from '../domain/errors.js';
import { renderDeep, stringify } from '../domain/expr.js';
import type { Profile, Runbook, Step } from '../domain/schema.js';
import { yesNo } from './answers.js';

interface Context {
  readonly runbook: Runbook;
  readonly profile: Profile | undefined;
  readonly inputs: Record<string, unknown>;
}

/** A step's `with` values that resolve before the run (not the ones from earlier steps). */
function knownWith(step: Step, ctx: Context): Record<string, unknown> {
  const scope = { inputs: ctx.inputs, profile: ctx.profile ?? {}, cluster: {}, steps: {}, run: {} };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step.with ?? {})) {
    try {
      out[k] = renderDeep(v, scope);
    } catch {
      // depends on an earlier step: checked when it is asked
    }
  }
  return out;
}

const isScalar = (v: unknown): boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function optionValues(options: unknown): string[] | undefined {
  if (!Array.isArray(options)) return undefined;
  const values = options.map((o: unknown) =>
    typeof o === 'string'
      ? o
      : typeof o === 'object' && o !== null && typeof (o as { value?: unknown }).value === 'string'
        ? (o as { value: string }).value
        : undefined,
  );
  return values.every((v) => v !== undefined) ? values : undefined;
}

/** Why an answer cannot be right for its step, or undefined. */
function problem(step: Step, raw: unknown, ctx: Context): string | undefined {
  const w = knownWith(step, ctx);
  switch (step.uses ?? '') {
    case 'human.confirm':
    case 'human.instructions':
      return yesNo(raw) === undefined ? `must be yes or no, not ${JSON.stringify(raw)}` : undefined;
    case 'human.choose': {
      if (!isScalar(raw)) return `must be one option's value, not ${JSON.stringify(raw)}`;
      const values = optionValues(w.options);
      const v = stringify(raw).trim();
      return values && !values.includes(v)
        ? `'${v}' is not one of ${values.join(', ')}`
        : undefined;
    }
    case 'human.checklist': {
      if (raw === true || raw === 'all') return undefined;
      if (!Array.isArray(raw)) return `must be 'all' or a list of the checked items`;
      const items = Array.isArray(w.items) ? w.items.map((i) => stringify(i)) : undefined;
      const unknown = items ? raw.map((r) => stringify(r)).filter((r) => !items.includes(r)) : [];
      return unknown.length ? `no such item(s): ${unknown.join('; ')}` : undefined;
    }
    case 'human.input': {
      if (!isScalar(raw)) return `must be a line of text, not ${JSON.stringify(raw)}`;
      const v = stringify(raw).trim();
      if (typeof w.pattern === 'string' && !new RegExp(`^(?:${w.pattern})$`).test(v))
        return `'${v}' does not match ${w.pattern}`;
      return undefined;
    }
    case 'human.secret':
      return 'a secret is never read from --answers (a file a person can read): give it on --secrets-fd';
    default:
      break;
  }
  if (step.destructive) {
    const expect = ctx.profile?.name ?? ctx.runbook.id;
    if (!isScalar(raw) || stringify(raw).trim() !== expect)
      return `a destructive step is confirmed by the cluster name '${expect}', not ${JSON.stringify(raw)}`;
  }
  return undefined;
}

/**
 * Questions an action asks besides its step's own answer, answered as `<step-id>.<name>`
 * (yes/no): the step's key already holds its destructive confirmation.
 */
const SUB_QUESTIONS: Readonly<Record<string, readonly string[]>> = {
  'aws.replace-node': ['active'],
};

/**
 * Checks an answers file against the runbook before the first step runs: a wrong answer found
 * only when its step is reached can stop a ceremony after Vault was already initialized.
 */
export function validateAnswers(answers: Record<string, unknown>, ctx: Context): void {
  const steps = new Map(ctx.runbook.steps.map((s) => [s.id, s]));
  const problems: string[] = [];
  for (const [id, raw] of Object.entries(answers)) {
    if (raw === null || raw === undefined) continue;
    // `<step>.<question>`: a second yes/no question a step's action asks (replace.active).
    const dot = id.lastIndexOf('.');
    const owner = dot > 0 ? steps.get(id.slice(0, dot)) : undefined;
    if (owner && SUB_QUESTIONS[owner.uses ?? '']?.includes(id.slice(dot + 1))) {
      if (yesNo(raw) === undefined)
        problems.push(`${id}: must be yes or no, not ${JSON.stringify(raw)}`);
      continue;
    }
    const step = steps.get(id);
    if (!step) {
      problems.push(`'${id}' is not a step of '${ctx.runbook.id}'`);
      continue;
    }
    const why = problem(step, raw, ctx);
    if (why) problems.push(`${id}: ${why}`);
  }
  if (problems.length === 0) return;
  throw new UsageError(`--answers: ${problems.join('; ')}`, [
    `steps: ${[...steps.keys()].join(', ')}`,
  ]);
}
