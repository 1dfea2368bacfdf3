import { isPair, isScalar, Lexer, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { Diagnostic } from './errors.js';
import {
  checkProfile,
  checkRunbook,
  checkYaml,
  needsLocating,
  type Checked,
  type Problem,
  type RunbookLintOptions,
} from './check.js';
import type { Profile, Runbook } from './schema.js';
import { Locator } from './yaml-locate.js';

export type { RunbookLintOptions } from './check.js';
export { CONTEXT_ROOTS } from './check.js';

export interface Loaded<T> {
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

// Loading is two steps: check.ts reads the document's value (js-yaml, yaml-values.ts) and checks
// it, giving problems by path; only a document with problems is parsed here again, with `yaml`,
// to turn each path into `file:line:col`. The `yaml` parser never decides a value.

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

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.line - b.line || a.col - b.col);
}

function place(loc: Locator, p: Problem): Diagnostic {
  let offset: number;
  if (p.at && 'key' in p.at) offset = loc.offsetOf(loc.keyAt(p.path, p.at.key));
  else if (p.at && 'inner' in p.at) {
    const node = loc.doc.getIn(p.path, true) as Node | undefined;
    offset = isScalar(node)
      ? loc.offsetInScalar(node, p.at.inner)
      : loc.offsetOf(loc.nodeAt(p.path));
  } else offset = loc.offsetOf(loc.nodeAt(p.path));
  const d = loc.at(offset, p.message);
  return p.severity ? { ...d, severity: p.severity } : d;
}

/** A list or a map used as a key: js-yaml would have read it as some string. */
function collectionKeys(loc: Locator): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(loc.doc, {
    Pair(_k, pair) {
      if (isPair(pair) && pair.key !== null && !isScalar(pair.key))
        out.push(
          loc.at(loc.offsetOf(pair.key as Node), 'YAML: a list or a map as a key is not supported'),
        );
    },
  });
  return out;
}

/** The diagnostics of a check, each at its line and column. */
export function locate<T>(text: string, file: string, c: Checked<T>): Loaded<T> {
  if (!needsLocating(c)) return { value: c.value, diagnostics: [] };
  if (c.refusal && 'line' in c.refusal) {
    const { line, col, message } = c.refusal;
    return { diagnostics: [{ file, line, col, message }] };
  }
  let parsed;
  try {
    parsed = parseYaml(text, file);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const at = c.syntax ?? { line: 1, col: 1 };
    return { diagnostics: [{ file, ...at, message: 'YAML: nested too deeply' }] };
  }
  const { loc, diagnostics } = parsed;
  if (diagnostics.length) return { diagnostics: sortDiagnostics(diagnostics) };
  // js-yaml refused what `yaml` reads (an unknown tag, a control character): refused all the same.
  if (c.syntax) return { diagnostics: [{ file, ...c.syntax }] };
  // Such a key makes the value (and every problem found in it) meaningless: it alone is said.
  const keys = c.verifyKeys ? collectionKeys(loc) : [];
  if (keys.length) return { diagnostics: sortDiagnostics(keys) };
  const out = sortDiagnostics(c.problems.map((p) => place(loc, p)));
  return c.value === undefined ? { diagnostics: out } : { value: c.value, diagnostics: out };
}

export function parseRunbook(
  text: string,
  file: string,
  opts: RunbookLintOptions = {},
): Loaded<Runbook> {
  return locate(text, file, checkRunbook(text, opts));
}

export function parseProfile(text: string, file: string): Loaded<Profile> {
  return locate(text, file, checkProfile(text));
}

/** `lint` of one file, runbook or profile (whichever it looks like). */
export function lintYaml(
  text: string,
  file: string,
  opts: RunbookLintOptions = {},
): Loaded<Runbook | Profile> {
  return locate(text, file, checkYaml(text, opts));
}
