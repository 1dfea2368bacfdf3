import type { z } from 'zod';
import { ExpressionError } from './errors.js';
import {
  collectReferences,
  hasExpression,
  parseExpression,
  parseTemplate,
  type Expr,
  stringify,
} from './expr.js';
import { shellProblems } from './lint-shell.js';
import { ProfileSchema, RunbookSchema, type Profile, type Runbook } from './schema.js';
import { mayHaveCollectionKey, readYamlValue, type Path, type Refusal } from './yaml-values.js';

/**
 * A problem found in a document's value, placed by its path: the node there (its start), a key
 * of the map there, or a character inside the string there. Turning it into `file:line:col`
 * takes the `yaml` parser (load.ts), which only a document with problems pays for.
 */
export interface Problem {
  readonly path: Path;
  readonly at?: { readonly key: string } | { readonly inner: number };
  readonly message: string;
  /** A warning is shown by `lint` but does not stop a runbook from loading. */
  readonly severity?: 'warning';
}

/** What the checks found, before any of it has a line and column. */
export interface Checked<T> {
  /** Set when the document loads: no problem is an error. */
  readonly value?: T;
  readonly problems: readonly Problem[];
  /** The text itself was refused (js-yaml's reason; `yaml`'s own, when it refuses too). */
  readonly syntax?: { readonly line: number; readonly col: number; readonly message: string };
  /** Refused where no path leads (the file's size, its encoding). */
  readonly refusal?: Refusal;
  /** The text may hold a list or map as a key: `yaml` must look (see mayHaveCollectionKey). */
  readonly verifyKeys: boolean;
}

/** Whether the diagnostics of a check need the `yaml` parser (most documents do not). */
export function needsLocating(c: Checked<unknown>): boolean {
  return c.syntax !== undefined || c.refusal !== undefined || c.verifyKeys || c.problems.length > 0;
}

export interface RunbookLintOptions {
  /** Ids of the registered actions; `uses` naming anything else is an error. */
  readonly knownActions?: ReadonlySet<string>;
  /** Validates a step's literal `with` against its action's input schema. */
  readonly checkWith?: (
    uses: string,
    withValue: Record<string, unknown>,
  ) => { path: Path; message: string }[];
}

type Read = { ok: true; value: unknown } | Checked<never>;

function read(text: string): Read {
  const r = readYamlValue(text);
  if (r.ok) return { ok: true, value: r.value };
  const verifyKeys = false;
  if ('syntax' in r) return { problems: [], syntax: r.syntax, verifyKeys };
  return 'path' in r.refusal
    ? {
        problems: [
          {
            path: r.refusal.path,
            ...(r.refusal.key !== undefined ? { at: { key: r.refusal.key } } : {}),
            message: r.refusal.message,
          },
        ],
        verifyKeys,
      }
    : { problems: [], refusal: r.refusal, verifyKeys };
}

function has(root: unknown, path: Path): boolean {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return false;
    v = (v as Record<string | number, unknown>)[p];
  }
  return true;
}

function zodProblems(root: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path, at: { key }, message: `unknown field '${key}'${where(path)}` });
      continue;
    }
    const missing = path.length > 0 && !has(root, path);
    out.push({
      path: missing ? path.slice(0, -1) : path,
      message:
        missing && issue.code === 'invalid_type'
          ? `missing required field '${String(path[path.length - 1])}'${where(path.slice(0, -1))}`
          : `${issue.message}${where(path)}`,
    });
  }
  return out;
}

export function where(path: Path): string {
  return path.length
    ? ` (at ${path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[')})`
    : '';
}

export const CONTEXT_ROOTS = ['inputs', 'profile', 'cluster', 'steps', 'run'] as const;

/**
 * Every string under `v`, with its path. The path is one array, pushed and popped: a copy is
 * made only for a string that holds a problem.
 */
function visitStrings(v: unknown, path: Path, cb: (value: string) => void): void {
  if (typeof v === 'string') cb(v);
  else if (Array.isArray(v))
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      visitStrings(v[i], path, cb);
      path.pop();
    }
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      path.push(k);
      visitStrings(x, path, cb);
      path.pop();
    }
}

interface ExprCheckScope {
  readonly inputNames: ReadonlySet<string>;
  readonly stepsBefore: ReadonlySet<string>;
  readonly allSteps: ReadonlySet<string>;
  readonly where: string;
}

function checkExpressions(
  out: Problem[],
  node: unknown,
  start: Path,
  scope: ExprCheckScope,
  bare = false,
): void {
  const path = [...start];
  visitStrings(node, path, (value) => {
    // Most strings hold no expression at all: nothing to parse.
    if (!bare && !value.includes('${{')) return;
    const at = (inner: number, message: string) =>
      out.push({ path: [...path], at: { inner }, message });
    const exprs: { expr: Expr; offset: number }[] = [];
    try {
      if (bare && !hasExpression(value)) exprs.push({ expr: parseExpression(value), offset: 0 });
      else
        for (const p of parseTemplate(value))
          if ('expr' in p) exprs.push({ expr: p.expr, offset: p.offset });
    } catch (err) {
      if (err instanceof ExpressionError) {
        at(err.offset, `expression: ${err.message} ${scope.where}`);
        return;
      }
      throw err;
    }
    for (const { expr, offset } of exprs) {
      for (const ref of collectReferences(expr)) {
        const inner = offset + ref.offset;
        const [root, second] = ref.path;
        if (!root) continue;
        if (!(CONTEXT_ROOTS as readonly string[]).includes(root)) {
          at(
            inner,
            `expression: unknown name '${root}' ${scope.where}; known: ${CONTEXT_ROOTS.join(', ')}`,
          );
        } else if (root === 'steps' && second !== undefined) {
          if (!scope.allSteps.has(second))
            at(inner, `expression: unknown step '${second}' ${scope.where}`);
          else if (!scope.stepsBefore.has(second))
            at(
              inner,
              `expression: step '${second}' does not run before ${scope.where.replace(/^in /, '')}`,
            );
          else if (ref.path[2] !== undefined && !['outputs', 'status'].includes(ref.path[2]))
            at(
              inner,
              `expression: steps.${second} has 'outputs' and 'status', not '${ref.path[2]}'`,
            );
        } else if (root === 'inputs' && second !== undefined && !scope.inputNames.has(second)) {
          at(inner, `expression: unknown input '${second}' ${scope.where}`);
        }
      }
    }
  });
}

type Loose = Record<string, unknown> | undefined;

function asArray(v: unknown): Loose[] {
  return Array.isArray(v) ? (v as Loose[]) : [];
}

function field(v: Loose, k: string): unknown {
  return v !== null && typeof v === 'object' ? v[k] : undefined;
}

/** The raw document, loosely: the checks below run even when the schema found problems. */
function expressionProblems(raw: Loose): Problem[] {
  const inputs = asArray(field(raw, 'inputs')).map((i) => ({
    default: field(i, 'default'),
    name: stringify(field(i, 'name')),
  }));
  const preconditions = asArray(field(raw, 'preconditions'));
  const steps = asArray(field(raw, 'steps'));
  const ids = steps.map((s) => stringify(field(s, 'id')));
  const out: Problem[] = [];
  const inputNames = new Set(inputs.map((i) => i.name));
  const allSteps = new Set(ids);
  const none = new Set<string>();
  inputs.forEach((input, i) => {
    checkExpressions(out, input.default, ['inputs', i, 'default'], {
      inputNames: none,
      stepsBefore: none,
      allSteps,
      where: `in input '${input.name}'`,
    });
  });
  preconditions.forEach((p, i) => {
    const scope = { inputNames, stepsBefore: none, allSteps, where: `in precondition ${i + 1}` };
    checkExpressions(out, field(p, 'with'), ['preconditions', i, 'with'], scope);
    checkExpressions(out, field(p, 'if'), ['preconditions', i, 'if'], scope, true);
    checkExpressions(out, field(p, 'run'), ['preconditions', i, 'run'], scope);
  });
  const before = new Set<string>();
  steps.forEach((step, i) => {
    const id = ids[i] ?? '';
    const scope = { inputNames, stepsBefore: new Set(before), allSteps, where: `in step '${id}'` };
    for (const f of ['with', 'env', 'run', 'title', 'probe'] as const)
      checkExpressions(out, field(step, f), ['steps', i, f], scope);
    // A step's own outputs may read its own action result through steps.<self>.outputs.
    const selfScope = { ...scope, stepsBefore: new Set([...before, id]) };
    // A step checked again on resume may ask whether its own earlier result is still held.
    const recheck = field(step, 'recheck-on-resume') === true;
    checkExpressions(out, field(step, 'if'), ['steps', i, 'if'], recheck ? selfScope : scope, true);
    checkExpressions(out, field(step, 'outputs'), ['steps', i, 'outputs'], selfScope);
    before.add(id);
  });
  return out;
}

function runbookFrom(value: unknown, opts: RunbookLintOptions): Checked<Runbook> {
  const raw = value ?? {};
  const parsed = RunbookSchema.safeParse(raw);
  const out = parsed.success ? [] : zodProblems(raw, parsed.error.issues);
  const loose = (typeof raw === 'object' ? raw : {}) as Loose;
  out.push(...expressionProblems(loose));
  out.push(...shellProblems(loose));
  asArray(field(loose, 'steps')).forEach((s, i) => {
    const uses = field(s, 'uses');
    if (typeof uses !== 'string') return;
    const id = stringify(field(s, 'id') ?? i + 1);
    const w = field(s, 'with');
    if (opts.knownActions && !opts.knownActions.has(uses)) {
      const known = [...opts.knownActions].sort().join(', ');
      out.push({
        path: ['steps', i, 'uses'],
        message: `unknown action '${uses}' in step '${id}' (known: ${known})`,
      });
      return;
    }
    const withValue = (w && typeof w === 'object' ? w : {}) as Record<string, unknown>;
    for (const problem of opts.checkWith?.(uses, withValue) ?? []) {
      const path = ['steps', i, 'with', ...problem.path];
      out.push({ path, message: `${problem.message} in step '${id}'${where(path)}` });
    }
  });
  // Warnings are reported but do not keep the runbook from running.
  const errors = out.some((d) => d.severity !== 'warning') || !parsed.success;
  const verifyKeys = false;
  return errors || !parsed.success
    ? { problems: out, verifyKeys }
    : { value: parsed.data, problems: out, verifyKeys };
}

function profileFrom(value: unknown): Checked<Profile> {
  const parsed = ProfileSchema.safeParse(value);
  if (!parsed.success)
    return { problems: zodProblems(value, parsed.error.issues), verifyKeys: false };
  return { value: parsed.data, problems: [], verifyKeys: false };
}

/** Whether a document looks like a profile rather than a runbook (for `lint` on mixed files). */
function isProfileDoc(v: unknown): boolean {
  return (
    v !== null && typeof v === 'object' && !Array.isArray(v) && 'vault' in v && !('steps' in v)
  );
}

function checked<T>(text: string, from: (value: unknown) => Checked<T>): Checked<T> {
  const r = read(text);
  if (!('ok' in r)) return r;
  const c = from(r.value);
  return mayHaveCollectionKey(text) ? { ...c, verifyKeys: true } : c;
}

export function checkRunbook(text: string, opts: RunbookLintOptions = {}): Checked<Runbook> {
  return checked(text, (v) => runbookFrom(v, opts));
}

export function checkProfile(text: string): Checked<Profile> {
  return checked(text, profileFrom);
}

/** `lint` of one file, runbook or profile, whichever it looks like. */
export function checkYaml(text: string, opts: RunbookLintOptions = {}): Checked<Runbook | Profile> {
  return checked<Runbook | Profile>(text, (v) =>
    isProfileDoc(v) ? profileFrom(v) : runbookFrom(v, opts),
  );
}
