import { isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import type { Diagnostic } from './errors.js';
import { ExpressionError } from './errors.js';
import {
  collectReferences,
  hasExpression,
  parseExpression,
  parseTemplate,
  type Expr,
  stringify,
} from './expr.js';
import { ProfileSchema, RunbookSchema, type Profile, type Runbook } from './schema.js';

export interface Loaded<T> {
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

import { shellDiagnostics } from './lint-shell.js';
import { Locator, type Path } from './yaml-locate.js';

function parseYaml(text: string, file: string): { loc: Locator; diagnostics: Diagnostic[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const loc = new Locator(file, doc, lc, text);
  // The parser reports an unclosed quote at the end of the file; point at where it opened.
  const unclosed = doc.errors.length ? unclosedQuote(text) : undefined;
  const diagnostics = doc.errors.map((e) => {
    const atEnd = e.pos[0] >= text.trimEnd().length && /quote/.test(e.message);
    const offset = atEnd && unclosed !== undefined ? unclosed : e.pos[0];
    const msg = e.message.split('\n')[0] ?? e.message;
    return loc.at(offset, `YAML: ${msg}${offset !== e.pos[0] ? ' (opened here)' : ''}`);
  });
  return { loc, diagnostics };
}

function unclosedQuote(text: string): number | undefined {
  let offset = 0;
  for (const tok of new Lexer().lex(text)) {
    // The lexer interleaves one-character control tokens that are not in the source.
    if (tok === '\x02' || tok === '\x18' || tok === '\x1f') continue;
    const q = tok[0];
    if ((q === '"' || q === "'") && (tok.length < 2 || !tok.trimEnd().endsWith(q))) return offset;
    offset += tok.length;
  }
  return undefined;
}

function zodDiagnostics(loc: Locator, issues: readonly z.core.$ZodIssue[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push(
          loc.at(loc.offsetOf(loc.keyAt(path, key)), `unknown field '${key}'${where(path)}`),
        );
      continue;
    }
    const node = loc.doc.getIn(path, true) as Node | undefined;
    const missing = path.length > 0 && node === undefined;
    const target = missing ? loc.nodeAt(path.slice(0, -1)) : loc.nodeAt(path);
    const message =
      missing && issue.code === 'invalid_type'
        ? `missing required field '${String(path[path.length - 1])}'${where(path.slice(0, -1))}`
        : `${issue.message}${where(path)}`;
    out.push(loc.at(loc.offsetOf(target), message));
  }
  return out;
}

function where(path: Path): string {
  return path.length
    ? ` (at ${path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[')})`
    : '';
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.line - b.line || a.col - b.col);
}

export const CONTEXT_ROOTS = ['inputs', 'profile', 'cluster', 'steps', 'run'] as const;

interface ScalarVisit {
  readonly path: Path;
  readonly node: Node;
  readonly value: string;
}

function visitStrings(node: unknown, path: Path, cb: (v: ScalarVisit) => void): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string') cb({ path, node, value: node.value });
  } else if (isMap(node)) {
    for (const p of node.items)
      if (isScalar(p.key)) visitStrings(p.value, [...path, String(p.key.value)], cb);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => visitStrings(item, [...path, i], cb));
  }
}

interface ExprCheckScope {
  readonly inputNames: ReadonlySet<string>;
  readonly stepsBefore: ReadonlySet<string>;
  readonly allSteps: ReadonlySet<string>;
  readonly where: string;
}

function checkExpressions(
  loc: Locator,
  node: unknown,
  path: Path,
  scope: ExprCheckScope,
  bare = false,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  visitStrings(node, path, ({ node: n, value }) => {
    const exprs: { expr: Expr; offset: number }[] = [];
    try {
      if (bare && !hasExpression(value)) exprs.push({ expr: parseExpression(value), offset: 0 });
      else
        for (const p of parseTemplate(value))
          if ('expr' in p) exprs.push({ expr: p.expr, offset: p.offset });
    } catch (err) {
      if (err instanceof ExpressionError) {
        out.push(
          loc.at(loc.offsetInScalar(n, err.offset), `expression: ${err.message} ${scope.where}`),
        );
        return;
      }
      throw err;
    }
    for (const { expr, offset } of exprs) {
      for (const ref of collectReferences(expr)) {
        const at = loc.offsetInScalar(n, offset + ref.offset);
        const [root, second] = ref.path;
        if (!root) continue;
        if (!(CONTEXT_ROOTS as readonly string[]).includes(root)) {
          out.push(
            loc.at(
              at,
              `expression: unknown name '${root}' ${scope.where}; known: ${CONTEXT_ROOTS.join(', ')}`,
            ),
          );
        } else if (root === 'steps' && second !== undefined) {
          if (!scope.allSteps.has(second))
            out.push(loc.at(at, `expression: unknown step '${second}' ${scope.where}`));
          else if (!scope.stepsBefore.has(second))
            out.push(
              loc.at(
                at,
                `expression: step '${second}' does not run before ${scope.where.replace(/^in /, '')}`,
              ),
            );
          else if (ref.path[2] !== undefined && !['outputs', 'status'].includes(ref.path[2]))
            out.push(
              loc.at(
                at,
                `expression: steps.${second} has 'outputs' and 'status', not '${ref.path[2]}'`,
              ),
            );
        } else if (root === 'inputs' && second !== undefined && !scope.inputNames.has(second)) {
          out.push(loc.at(at, `expression: unknown input '${second}' ${scope.where}`));
        }
      }
    }
  });
  return out;
}

/** The raw document, loosely: the checks below run even when the schema found problems. */
interface RawRunbook {
  inputs?: { name?: unknown }[];
  preconditions?: unknown[];
  steps?: { id?: unknown; uses?: unknown; with?: unknown }[];
}

function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function runbookExpressionDiagnostics(loc: Locator, raw: RawRunbook): Diagnostic[] {
  const rb = {
    inputs: asArray<{ name?: unknown }>(raw.inputs).map((i) => ({ name: stringify(i?.name) })),
    preconditions: asArray<unknown>(raw.preconditions),
    steps: asArray<{ id?: unknown }>(raw.steps).map((s) => ({ id: stringify(s?.id) })),
  };
  const out: Diagnostic[] = [];
  const inputNames = new Set((rb.inputs ?? []).map((i) => i.name));
  const allSteps = new Set(rb.steps.map((s) => s.id));
  const none = new Set<string>();
  const get = (p: Path): unknown => loc.doc.getIn(p, true);
  (rb.inputs ?? []).forEach((input, i) => {
    out.push(
      ...checkExpressions(loc, get(['inputs', i, 'default']), ['inputs', i, 'default'], {
        inputNames: none,
        stepsBefore: none,
        allSteps,
        where: `in input '${input.name}'`,
      }),
    );
  });
  (rb.preconditions ?? []).forEach((_p, i) => {
    const scope = { inputNames, stepsBefore: none, allSteps, where: `in precondition ${i + 1}` };
    out.push(
      ...checkExpressions(
        loc,
        get(['preconditions', i, 'with']),
        ['preconditions', i, 'with'],
        scope,
      ),
    );
    out.push(
      ...checkExpressions(
        loc,
        get(['preconditions', i, 'if']),
        ['preconditions', i, 'if'],
        scope,
        true,
      ),
    );
    out.push(
      ...checkExpressions(
        loc,
        get(['preconditions', i, 'run']),
        ['preconditions', i, 'run'],
        scope,
      ),
    );
  });
  const before = new Set<string>();
  rb.steps.forEach((step, i) => {
    const scope = {
      inputNames,
      stepsBefore: new Set(before),
      allSteps,
      where: `in step '${step.id}'`,
    };
    for (const field of ['with', 'env', 'run', 'title', 'probe'] as const)
      out.push(...checkExpressions(loc, get(['steps', i, field]), ['steps', i, field], scope));
    // A step's own outputs may read its own action result through steps.<self>.outputs.
    const selfScope = { ...scope, stepsBefore: new Set([...before, step.id]) };
    // A step checked again on resume may ask whether its own earlier result is still held.
    const recheck = loc.doc.getIn(['steps', i, 'recheck-on-resume']) === true;
    const ifScope = recheck ? selfScope : scope;
    out.push(...checkExpressions(loc, get(['steps', i, 'if']), ['steps', i, 'if'], ifScope, true));
    out.push(
      ...checkExpressions(loc, get(['steps', i, 'outputs']), ['steps', i, 'outputs'], selfScope),
    );
    before.add(step.id);
  });
  return out;
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

export function parseRunbook(
  text: string,
  file: string,
  opts: RunbookLintOptions = {},
): Loaded<Runbook> {
  const { loc, diagnostics } = parseYaml(text, file);
  if (diagnostics.length) return { diagnostics: sortDiagnostics(diagnostics) };
  return runbookFrom(loc, opts);
}

function runbookFrom(loc: Locator, opts: RunbookLintOptions): Loaded<Runbook> {
  const raw = (loc.doc.toJS() ?? {}) as RawRunbook;
  const parsed = RunbookSchema.safeParse(raw);
  const out = parsed.success ? [] : zodDiagnostics(loc, parsed.error.issues);
  out.push(...runbookExpressionDiagnostics(loc, typeof raw === 'object' ? raw : {}));
  out.push(...shellDiagnostics(loc, typeof raw === 'object' ? raw : {}));
  asArray<{ id?: unknown; uses?: unknown; with?: unknown }>(raw.steps).forEach((s, i) => {
    if (typeof s?.uses !== 'string') return;
    const step = {
      id: stringify(s.id ?? i + 1),
      uses: s.uses,
      with: (s.with && typeof s.with === 'object' ? s.with : {}) as Record<string, unknown>,
    };
    if (opts.knownActions && !opts.knownActions.has(step.uses)) {
      const known = [...opts.knownActions].sort().join(', ');
      out.push(
        loc.at(
          loc.offsetOf(loc.nodeAt(['steps', i, 'uses'])),
          `unknown action '${step.uses}' in step '${step.id}' (known: ${known})`,
        ),
      );
      return;
    }
    for (const problem of opts.checkWith?.(step.uses, step.with ?? {}) ?? []) {
      const path = ['steps', i, 'with', ...problem.path];
      out.push(
        loc.at(
          loc.offsetOf(loc.nodeAt(path)),
          `${problem.message} in step '${step.id}'${where(path)}`,
        ),
      );
    }
  });
  // Warnings are reported but do not keep the runbook from running.
  return out.some((d) => d.severity !== 'warning') || !parsed.success
    ? { diagnostics: sortDiagnostics(out) }
    : { value: parsed.data, diagnostics: sortDiagnostics(out) };
}

export function parseProfile(text: string, file: string): Loaded<Profile> {
  const { loc, diagnostics } = parseYaml(text, file);
  if (diagnostics.length) return { diagnostics: sortDiagnostics(diagnostics) };
  return profileFrom(loc);
}

function profileFrom(loc: Locator): Loaded<Profile> {
  const parsed = ProfileSchema.safeParse(loc.doc.toJS());
  if (!parsed.success)
    return { diagnostics: sortDiagnostics(zodDiagnostics(loc, parsed.error.issues)) };
  return { value: parsed.data, diagnostics: [] };
}

/** Whether a document looks like a profile rather than a runbook (for `lint` on mixed files). */
function isProfileDoc(doc: Locator['doc']): boolean {
  return isMap(doc.contents) && doc.has('vault') && !doc.has('steps');
}

/**
 * `lint` of one file, runbook or profile (whichever it looks like), from one parse of its YAML:
 * parsing is most of what lint costs.
 */
export function lintYaml(
  text: string,
  file: string,
  opts: RunbookLintOptions = {},
): Loaded<Runbook | Profile> {
  const { loc, diagnostics } = parseYaml(text, file);
  if (diagnostics.length) return { diagnostics: sortDiagnostics(diagnostics) };
  return isProfileDoc(loc.doc) ? profileFrom(loc) : runbookFrom(loc, opts);
}
