import { FAILSAFE_SCHEMA, load, Type, YAMLException, type LoadOptions } from 'js-yaml';

/** A place in a document's value: keys and list indices from the root. */
export type Path = (string | number)[];

// The values of every runbook and profile come from here, and only here: `lint`, `run`,
// `resume`, preflight and the TUI all read a document through readYamlValue, so what lint
// approves is what runs. js-yaml reads a cold 44 kB in a fifth of the time the `yaml` package
// takes; `yaml` (yaml-locate.ts) is loaded only to put a problem at its line and column.

/**
 * Plain scalars resolve as YAML 1.2's core schema says, with the very patterns of the `yaml`
 * package's core schema (yaml/dist/schema/core): js-yaml's own CORE_SCHEMA differs on a few
 * (`0b101` is a number there, `-.5` a string), and the two parsers must agree on every value.
 */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

const str = (s: unknown): string => (typeof s === 'string' ? s : '');

const CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (s: unknown) => s === null || NULL.test(str(s)),
      construct: () => null,
    }),
    new Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (s: unknown) => BOOL.test(str(s)),
      construct: (s: string) => s[0] === 't' || s[0] === 'T',
    }),
    new Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: unknown) => INT.test(str(s)) || INT_OCT.test(str(s)) || INT_HEX.test(str(s)),
      construct: (s: string) =>
        INT_OCT.test(s)
          ? parseInt(s.substring(2), 8)
          : INT_HEX.test(s)
            ? parseInt(s.substring(2), 16)
            : parseInt(s, 10),
    }),
    new Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: unknown) =>
        FLOAT_NAN.test(str(s)) || FLOAT_EXP.test(str(s)) || FLOAT.test(str(s)),
      construct: (s: string) =>
        FLOAT_NAN.test(s)
          ? s.slice(-3).toLowerCase() === 'nan'
            ? NaN
            : s[0] === '-'
              ? -Infinity
              : Infinity
          : parseFloat(s),
    }),
  ],
});

/** Deeper than any runbook or profile nests (about 8); a walk over the value stays shallow. */
export const MAX_DEPTH = 64;
/** Nodes that aliases may add when expanded: an alias bomb is refused, not expanded. */
export const MAX_ALIAS_NODES = 10_000;
/** Far beyond any runbook (the largest shipped is ≈ 10 kB): a bigger file is not one. */
export const MAX_BYTES = 1_000_000;

/** Where a refusal points: a place in the text, or a node of the value. */
export type Refusal =
  | { readonly line: number; readonly col: number; readonly message: string }
  | { readonly path: Path; readonly key?: string; readonly message: string };

export type YamlValue =
  | { readonly ok: true; readonly value: unknown }
  /** js-yaml refused the text: `yaml` says why when it refuses too, else this does. */
  | { readonly ok: false; readonly syntax: { line: number; col: number; message: string } }
  /** The text parsed, but its value is refused (an alias bomb, `<<`, nesting too deep). */
  | { readonly ok: false; readonly refusal: Refusal };

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/**
 * A key js-yaml and `yaml` would read differently, or that means something to JavaScript:
 * js-yaml turns a null key into 'null' (`yaml`: ''), a map or list key into '[object Object]'
 * or 'a,b'; `<<` is a merge in YAML 1.1 and a plain key in 1.2 (both parsers keep it a key,
 * and no one writing it means that).
 */
function keyRefusal(key: string): string | undefined {
  if (key === '<<') return 'YAML: merge keys (<<) are not supported: write the fields out';
  if (key === '__proto__') return "YAML: a key named '__proto__' is not supported";
  if (key === 'null') return "YAML: a null key (null, ~ or 'null') is not supported";
  if (key === '[object Object]') return 'YAML: a map as a key is not supported';
  return undefined;
}

/**
 * Walks the value once: aliases are shared objects in js-yaml's result (as in `yaml`'s), so a
 * walk that expands them (zod, the checks) costs what the expanded document would. Counts
 * that cost, refuses cycles, deep nesting and the keys above.
 */
function inspect(root: unknown): Refusal | undefined {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  const path: Path = [];
  let extra = 0;
  let refusal: Refusal | undefined;
  const refuse = (message: string): number => {
    refusal ??= { path: [...path], message };
    return 0;
  };
  const size = (v: unknown): number => {
    if (refusal || v === null || typeof v !== 'object') return 1;
    const known = sizes.get(v);
    if (known !== undefined) {
      extra += known;
      return extra > MAX_ALIAS_NODES
        ? refuse(
            `YAML: aliases expand this document by more than ${MAX_ALIAS_NODES} nodes (an alias bomb?)`,
          )
        : known;
    }
    if (open.has(v)) return refuse('YAML: an alias refers to a node that contains it');
    if (path.length >= MAX_DEPTH) return refuse(`YAML: nested more than ${MAX_DEPTH} levels deep`);
    open.add(v);
    let n = 1;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !refusal; i++) {
        path.push(i);
        n += size(v[i]);
        path.pop();
      }
    } else {
      for (const k of Object.keys(v)) {
        if (refusal) break;
        path.push(k);
        const why = keyRefusal(k);
        if (why) {
          path.pop();
          refusal = { path: [...path], key: k, message: why };
          return 0;
        }
        n += size((v as Record<string, unknown>)[k]);
        path.pop();
      }
    }
    open.delete(v);
    sizes.set(v, n);
    return n;
  };
  size(root);
  return refusal;
}

/**
 * The document's value, or why it has none. An empty document is null (as `yaml` reads it).
 * Never throws: a document deep enough to exhaust the parser's stack is a syntax refusal.
 */
export function readYamlValue(text: string): YamlValue {
  if (text.length > MAX_BYTES)
    return {
      ok: false,
      refusal: {
        line: 1,
        col: 1,
        message: `file is larger than ${MAX_BYTES / 1_000_000} MB: not a runbook or profile`,
      },
    };
  // `yaml` would read %YAML 1.1 as YAML 1.1 (yes is true there), js-yaml as 1.2.
  const directive = /^%/m.exec(text);
  if (directive)
    return {
      ok: false,
      refusal: {
        ...lineCol(text, directive.index),
        message: 'YAML: directives (%YAML, %TAG) are not supported',
      },
    };
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0)
    return {
      ok: false,
      refusal: { ...lineCol(text, bad), message: 'not UTF-8 text (or holds U+FFFD)' },
    };
  let value: unknown;
  try {
    // maxDepth is js-yaml 4.3's (its @types know only 4.1's options).
    value = load(text, { schema: CORE, maxDepth: MAX_DEPTH } as LoadOptions);
  } catch (err) {
    // Said at once: `yaml` would take seconds on such a document to run out of stack.
    if (err instanceof YAMLException && err.reason.startsWith('nesting exceeded'))
      return {
        ok: false,
        refusal: {
          line: (err.mark?.line ?? 0) + 1,
          col: (err.mark?.column ?? 0) + 1,
          message: `YAML: nested more than ${MAX_DEPTH} levels deep`,
        },
      };
    if (err instanceof YAMLException)
      return {
        ok: false,
        // Some refusals (more than one document) carry no mark.
        syntax: {
          line: (err.mark?.line ?? 0) + 1,
          col: (err.mark?.column ?? 0) + 1,
          message: `YAML: ${err.reason}`,
        },
      };
    if (err instanceof RangeError)
      return { ok: false, refusal: { line: 1, col: 1, message: 'YAML: nested too deeply' } };
    throw err;
  }
  const refusal = inspect(value);
  if (refusal) return { ok: false, refusal };
  return { ok: true, value: value === undefined ? null : value };
}

/**
 * Text where a mapping key may be a list or a map (`? [a]`, `[a, b]: c`), which js-yaml turns
 * into a string no one can tell apart from a plain key: such a document is checked with `yaml`
 * too. Over-approximates (a `]:` inside a string counts), never misses one.
 */
export function mayHaveCollectionKey(text: string): boolean {
  return /(?:^|[\s,[{])\?(?:\s|$)|[\]}][ \t]*:(?:\s|$)/m.test(text);
}
