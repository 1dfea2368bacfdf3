import { ExpressionError } from './errors.js';
import { Secret } from './secret.js';

/**
 * The `${{ … }}` language: paths over a context (`steps.init.outputs.sealed`), literals,
 * comparison and boolean operators, and a few pure functions. It is parsed into an AST and
 * walked — never `eval` — so a runbook can read data but cannot run code.
 */
export type Expr =
  | { kind: 'literal'; value: unknown; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'member'; object: Expr; property: Expr; pos: number }
  | { kind: 'unary'; op: '!' | '-'; arg: Expr; pos: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: number }
  | { kind: 'call'; callee: string; args: Expr[]; pos: number };

type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '+';

type Token =
  | { t: 'num'; v: number; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'id'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; pos: number };

const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
  '+',
  '-',
];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      const text = m?.[0] ?? c;
      out.push({ t: 'num', v: Number(text), pos: i });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
      const text = m?.[0] ?? c;
      out.push({ t: 'id', v: text, pos: i });
      i += text.length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src.charAt(j) !== c) {
        // '' inside a single-quoted string is an escaped quote, as in GitHub expressions.
        if (src.charAt(j) === '\\' && j + 1 < src.length) {
          s += src.charAt(j + 1);
          j += 2;
          continue;
        }
        s += src.charAt(j);
        j++;
      }
      if (j >= src.length) throw new ExpressionError('unterminated string', i);
      out.push({ t: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected character '${c}'`, i);
    out.push({ t: 'op', v: op, pos: i });
    i += op.length;
  }
  out.push({ t: 'eof', pos: src.length });
  return out;
}

const PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
};

export function parseExpression(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token => toks[p] ?? { t: 'eof', pos: src.length };
  const next = (): Token => toks[p++] ?? { t: 'eof', pos: src.length };
  const expectOp = (v: string): void => {
    const tok = next();
    if (tok.t !== 'op' || tok.v !== v) throw new ExpressionError(`expected '${v}'`, tok.pos);
  };

  function primary(): Expr {
    const tok = next();
    switch (tok.t) {
      case 'num':
        return { kind: 'literal', value: tok.v, pos: tok.pos };
      case 'str':
        return { kind: 'literal', value: tok.v, pos: tok.pos };
      case 'id': {
        if (tok.v === 'true' || tok.v === 'false')
          return { kind: 'literal', value: tok.v === 'true', pos: tok.pos };
        if (tok.v === 'null') return { kind: 'literal', value: null, pos: tok.pos };
        const after = peek();
        if (after.t === 'op' && after.v === '(') {
          next();
          const args: Expr[] = [];
          const close = peek();
          if (!(close.t === 'op' && close.v === ')')) {
            for (;;) {
              args.push(binary(0));
              const sep = peek();
              if (sep.t === 'op' && sep.v === ',') {
                next();
                continue;
              }
              break;
            }
          }
          expectOp(')');
          return { kind: 'call', callee: tok.v, args, pos: tok.pos };
        }
        return { kind: 'ident', name: tok.v, pos: tok.pos };
      }
      case 'op':
        if (tok.v === '(') {
          const e = binary(0);
          expectOp(')');
          return e;
        }
        if (tok.v === '!' || tok.v === '-')
          return { kind: 'unary', op: tok.v, arg: postfix(), pos: tok.pos };
        throw new ExpressionError(`unexpected '${tok.v}'`, tok.pos);
      case 'eof':
        throw new ExpressionError('unexpected end of expression', tok.pos);
    }
  }

  function postfix(): Expr {
    let e = primary();
    for (;;) {
      const tok = peek();
      if (tok.t === 'op' && tok.v === '.') {
        next();
        const name = next();
        if (name.t !== 'id' && name.t !== 'num')
          throw new ExpressionError('expected a property name after "."', name.pos);
        e = {
          kind: 'member',
          object: e,
          property: { kind: 'literal', value: String(name.v), pos: name.pos },
          pos: name.pos,
        };
      } else if (tok.t === 'op' && tok.v === '[') {
        next();
        const prop = binary(0);
        expectOp(']');
        e = { kind: 'member', object: e, property: prop, pos: tok.pos };
      } else return e;
    }
  }

  function binary(minPrec: number): Expr {
    let left = postfix();
    for (;;) {
      const tok = peek();
      if (tok.t !== 'op') return left;
      const prec = PRECEDENCE[tok.v];
      if (prec === undefined || prec <= minPrec) return left;
      next();
      const right = binary(prec);
      left = { kind: 'binary', op: tok.v as BinaryOp, left, right, pos: tok.pos };
    }
  }

  const e = binary(0);
  const rest = peek();
  if (rest.t !== 'eof') throw new ExpressionError('unexpected text after expression', rest.pos);
  return e;
}

export type ExprContext = Readonly<Record<string, unknown>>;

/** Marks a value that dry-run cannot know yet (an output of a step that has not run). */
export class Unknown {
  constructor(readonly path: string) {}
  toString(): string {
    return `<${this.path}>`;
  }
  toJSON(): string {
    return `<${this.path}>`;
  }
}

function pathOf(e: Expr): string {
  switch (e.kind) {
    case 'ident':
      return e.name;
    case 'member':
      return `${pathOf(e.object)}.${e.property.kind === 'literal' ? String(e.property.value) : '[…]'}`;
    case 'literal':
    case 'unary':
    case 'binary':
    case 'call':
      return '…';
  }
}

function truthy(v: unknown): boolean {
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return true;
  return Boolean(v);
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return a === b;
}

const FUNCTIONS: Record<string, (args: unknown[]) => unknown> = {
  length: ([v]) =>
    Array.isArray(v) || typeof v === 'string'
      ? v.length
      : v && typeof v === 'object'
        ? Object.keys(v).length
        : 0,
  contains: ([hay, needle]) =>
    Array.isArray(hay)
      ? hay.some((x) => looseEquals(x, needle))
      : typeof hay === 'string' && hay.toLowerCase().includes(String(needle).toLowerCase()),
  startsWith: ([s, p]) =>
    typeof s === 'string' && s.toLowerCase().startsWith(stringify(p).toLowerCase()),
  endsWith: ([s, p]) =>
    typeof s === 'string' && s.toLowerCase().endsWith(stringify(p).toLowerCase()),
  join: ([arr, sep]) =>
    Array.isArray(arr)
      ? arr.map(stringify).join(sep === undefined ? ',' : stringify(sep))
      : stringify(arr),
  format: ([fmt, ...rest]) =>
    stringify(fmt).replace(/\{(\d+)\}/g, (_, i: string) => stringify(rest[Number(i)])),
  toJSON: ([v]) => JSON.stringify(v, null, 2),
  fromJSON: ([v]) => JSON.parse(String(v)) as unknown,
  default: ([v, d]) => (v === undefined || v === null || v === '' ? d : v),
  keys: ([v]) => (v && typeof v === 'object' ? Object.keys(v) : []),
  // Whether a secret output is still held by this process: after a resume the journal has only
  // ‹redacted› in its place (secrets are never journaled), so a runbook can make it again.
  inMemory: ([v]) => v instanceof Secret,
};

export const KNOWN_FUNCTIONS = Object.keys(FUNCTIONS);

export interface EvalOptions {
  /** Dry-run: missing step outputs become Unknown placeholders instead of errors. */
  readonly symbolic?: boolean;
}

export function evaluate(e: Expr, ctx: ExprContext, opts: EvalOptions = {}): unknown {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'ident': {
      if (!Object.hasOwn(ctx, e.name))
        throw new ExpressionError(
          `unknown name '${e.name}' (known: ${Object.keys(ctx).join(', ')})`,
          e.pos,
        );
      return ctx[e.name];
    }
    case 'member': {
      const obj = evaluate(e.object, ctx, opts);
      const key = evaluate(e.property, ctx, opts);
      if (obj instanceof Unknown) return new Unknown(`${obj.path}.${String(key)}`);
      if (obj === null || obj === undefined) {
        if (opts.symbolic) return new Unknown(pathOf(e));
        throw new ExpressionError(
          `'${pathOf(e.object)}' is ${String(obj)}, cannot read '${String(key)}'`,
          e.pos,
        );
      }
      if (typeof obj !== 'object') return undefined;
      const k = String(key);
      if (!Object.hasOwn(obj, k)) return opts.symbolic ? new Unknown(pathOf(e)) : undefined;
      return (obj as Record<string, unknown>)[k];
    }
    case 'unary': {
      const v = evaluate(e.arg, ctx, opts);
      // Not known until the run: a dry run must not plan `!x` as decided.
      if (v instanceof Unknown) return v;
      return e.op === '!' ? !truthy(v) : -Number(v);
    }
    case 'binary':
      return evaluateBinary(e, ctx, opts);
    case 'call': {
      const fn = FUNCTIONS[e.callee];
      if (!fn)
        throw new ExpressionError(
          `unknown function '${e.callee}' (known: ${KNOWN_FUNCTIONS.join(', ')})`,
          e.pos,
        );
      const args = e.args.map((a) => evaluate(a, ctx, opts));
      if (args.some((a) => a instanceof Unknown)) return new Unknown(`${e.callee}(…)`);
      return fn(args);
    }
  }
}

function evaluateBinary(
  e: Extract<Expr, { kind: 'binary' }>,
  ctx: ExprContext,
  opts: EvalOptions,
): unknown {
  if (e.op === '&&') {
    const l = evaluate(e.left, ctx, opts);
    return truthy(l) ? evaluate(e.right, ctx, opts) : l;
  }
  if (e.op === '||') {
    const l = evaluate(e.left, ctx, opts);
    return truthy(l) && !(l instanceof Unknown) ? l : evaluate(e.right, ctx, opts);
  }
  const l = evaluate(e.left, ctx, opts);
  const r = evaluate(e.right, ctx, opts);
  if (l instanceof Unknown || r instanceof Unknown) return new Unknown(pathOf(e.left));
  switch (e.op) {
    case '==':
      return looseEquals(l, r);
    case '!=':
      return !looseEquals(l, r);
    case '<':
      return Number(l) < Number(r);
    case '<=':
      return Number(l) <= Number(r);
    case '>':
      return Number(l) > Number(r);
    case '>=':
      return Number(l) >= Number(r);
    case '+':
      return typeof l === 'number' && typeof r === 'number'
        ? l + r
        : `${stringify(l)}${stringify(r)}`;
  }
}

/** Text of a value for templates and messages: JSON for data, never '[object Object]'. */
export function stringify(v: unknown): string {
  if (v === undefined || v === null) return '';
  // A secret is passed whole (`key: ${{ steps.x.outputs.value }}`), never spliced into text:
  // text ends up in argv, logs and error messages.
  if (v instanceof Secret)
    throw new ExpressionError(
      `the secret '${v.label}' cannot be put into text; pass it as a whole value, e.g. env: { SHARE: "\${{ … }}" }`,
    );
  if (v instanceof Unknown) return v.toString();
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return v.toString();
    case 'symbol':
      return v.description ?? '';
    case 'object':
      return JSON.stringify(v);
    case 'function':
    case 'undefined':
      return '';
  }
  return '';
}

/** A string broken into literal text and `${{ }}` expressions, with source offsets. */
export type TemplatePart = { text: string } | { expr: Expr; source: string; offset: number };

const OPEN = '${{';
const CLOSE = '}}';

export function parseTemplate(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < s.length) {
    const start = s.indexOf(OPEN, i);
    if (start < 0) {
      parts.push({ text: s.slice(i) });
      break;
    }
    if (start > i) parts.push({ text: s.slice(i, start) });
    const end = s.indexOf(CLOSE, start + OPEN.length);
    if (end < 0) throw new ExpressionError("'${{' without a closing '}}'", start);
    const source = s.slice(start + OPEN.length, end);
    const offset = start + OPEN.length;
    try {
      parts.push({ expr: parseExpression(source), source: source.trim(), offset });
    } catch (err) {
      if (err instanceof ExpressionError)
        throw new ExpressionError(err.message, offset + err.offset);
      throw err;
    }
    i = end + CLOSE.length;
  }
  return parts;
}

export function hasExpression(s: string): boolean {
  return s.includes(OPEN);
}

/**
 * Resolves a template string. A string that is exactly one expression keeps the value's type
 * (a list of nodes stays a list); text mixed with expressions becomes a string.
 */
export function renderTemplate(s: string, ctx: ExprContext, opts: EvalOptions = {}): unknown {
  const parts = parseTemplate(s);
  const only = parts[0];
  if (
    parts.length === 1 &&
    only &&
    'expr' in only &&
    s.trim().startsWith(OPEN) &&
    s.trim().endsWith(CLOSE)
  )
    return evaluate(only.expr, ctx, opts);
  return parts.map((p) => ('text' in p ? p.text : stringify(evaluate(p.expr, ctx, opts)))).join('');
}

/** Resolves every template inside plain data (a step's `with`). */
export function renderDeep(v: unknown, ctx: ExprContext, opts: EvalOptions = {}): unknown {
  if (typeof v === 'string') return hasExpression(v) ? renderTemplate(v, ctx, opts) : v;
  if (Array.isArray(v)) return v.map((x) => renderDeep(x, ctx, opts));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = renderDeep(x, ctx, opts);
    return out;
  }
  return v;
}

export function evaluateCondition(s: string, ctx: ExprContext, opts: EvalOptions = {}): boolean {
  // `if:` may be written with or without the ${{ }} wrapper, as in GitHub Actions.
  const src = hasExpression(s) ? s : `\${{ ${s} }}`;
  return truthy(renderTemplate(src, ctx, opts));
}

export interface Reference {
  /** Dotted path of literal members from the root, e.g. ['steps', 'init', 'outputs']. */
  readonly path: string[];
  readonly offset: number;
}

/** Every context path an expression reads, for static checks (unknown names, unknown steps). */
export function collectReferences(e: Expr, out: Reference[] = []): Reference[] {
  const chain = (x: Expr): { path: string[]; root: Expr } | undefined => {
    if (x.kind === 'ident') return { path: [x.name], root: x };
    if (x.kind === 'member') {
      const inner = chain(x.object);
      if (!inner) return undefined;
      if (x.property.kind === 'literal')
        return { path: [...inner.path, String(x.property.value)], root: inner.root };
      return inner;
    }
    return undefined;
  };
  switch (e.kind) {
    case 'literal':
      return out;
    case 'ident':
      out.push({ path: [e.name], offset: e.pos });
      return out;
    case 'member': {
      const c = chain(e);
      if (c) out.push({ path: c.path, offset: c.root.pos });
      else collectReferences(e.object, out);
      if (e.property.kind !== 'literal') collectReferences(e.property, out);
      return out;
    }
    case 'unary':
      return collectReferences(e.arg, out);
    case 'binary':
      collectReferences(e.left, out);
      return collectReferences(e.right, out);
    case 'call':
      for (const a of e.args) collectReferences(a, out);
      return out;
  }
}
