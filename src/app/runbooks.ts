import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Yaml from 'yaml';
import { errorMessage, UsageError } from '../domain/errors.js';
import { configDir } from '../adapters/paths.js';

// Runbook discovery: ids, titles and files. It reads each file's YAML but does not validate it
// (no schema, no action registry): the home screen and `list` show runbooks before anything
// runs, and `lint` or the run itself says what is wrong with one.

/** The package's own folder (runbooks/, package.json), from dist/app or src/app alike. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function runbookDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [join(configDir(env), 'runbooks'), join(packageRoot(), 'runbooks')];
  if (env.VAULT_RUNBOOK_PATH) dirs.unshift(...env.VAULT_RUNBOOK_PATH.split(':').filter(Boolean));
  return dirs;
}

export interface RunbookEntry {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly file: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A runbook id from the runbook folders, or a path to a YAML file. */
export function resolveRunbook(ref: string, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.includes('/') || ref.endsWith('.yaml') || ref.endsWith('.yml')) {
    if (!existsSync(ref)) throw new UsageError(`no runbook file ${ref}`);
    // Read errors (a directory, no permission) are reported by readUserFile as usage errors.
    return resolve(ref);
  }
  for (const dir of runbookDirs(env)) {
    for (const ext of ['.yaml', '.yml']) {
      const f = join(dir, `${ref}${ext}`);
      if (isFile(f)) return f;
    }
  }
  const known = listRunbooks(env).map((r) => r.id);
  throw new UsageError(`no runbook '${ref}'`, [
    `known runbooks: ${known.join(', ') || '(none)'}`,
    'or give a path to a YAML file',
  ]);
}

const HEAD_KEYS = new Set(['id', 'title', 'description']);

/**
 * The part of a runbook before its first top-level key other than id, title and description:
 * a list or the home screen needs only those, and parsing every runbook whole (steps, long
 * `run:` bodies) was most of the time `list` took. A key at column 0 always starts a new
 * top-level entry in block YAML (a value's lines are indented), so the cut never splits one.
 * undefined when the file is not laid out that way; the caller parses it whole.
 */
function head(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^(---|\.\.\.)(\s|$)/.test(line)) return i === 0 ? undefined : lines.slice(0, i).join('\n');
    const key = /^([A-Za-z_][\w-]*)\s*:(\s|$)/.exec(line)?.[1];
    if (key !== undefined && !HEAD_KEYS.has(key)) return lines.slice(0, i).join('\n');
    if (key === undefined && /^[^\s#]/.test(line)) return undefined;
  }
  return undefined;
}

/** What YAML's core schema reads as something other than a string, and the indicators. */
const NOT_PLAIN_STRING = /^(?:$|[-?:,[\]{}#&*!|>'"%@`~+.\d\s]|(?:null|true|false)$)|: |:$| #/i;
/** Control characters, which YAML restricts, and tabs, which it treats apart: the parser's. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNUSUAL = /[\u0000-\u001f\u007f-\u009f\ufeff\ufffe\uffff]/;

/**
 * The head's keys, when every one is written the way the shipped runbooks write them: `key:
 * value` on one line (a plain scalar YAML reads as that very string), or `key: |` / `key: |-`
 * and an indented literal block. Anything else (quotes, folded or multi-line plain values,
 * comments, anchors, tags, tabs, a value YAML reads as a number, a boolean or null, a repeated
 * key) is undefined, and the YAML parser reads the head: this only spares `list` and the home
 * screen the cold parser for what it would have read the same way.
 */
export function plainHead(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i++] ?? '';
    if (line === '') continue;
    const m = /^(id|title|description):(?: +(.*))?$/.exec(line);
    const key = m?.[1];
    const value = m?.[2] ?? '';
    if (key === undefined || key in out) return undefined;
    if (value === '|' || value === '|-') {
      const body: string[] = [];
      while (i < lines.length && /^( +\S|$)/.test(lines[i] ?? '')) body.push(lines[i++] ?? '');
      while (body.length && body[body.length - 1] === '') body.pop();
      const indent = /^ */.exec(body.find((l) => l !== '') ?? '')?.[0].length ?? 0;
      if (indent === 0 || body.some((l) => l !== '' && !l.startsWith(' '.repeat(indent))))
        return undefined;
      if (body.some((l) => UNUSUAL.test(l))) return undefined;
      const block = body.map((l) => l.slice(indent)).join('\n');
      out[key] = value === '|' ? `${block}\n` : block;
    } else {
      // A plain scalar goes on over indented lines (blank ones between): the parser's to read.
      const next = lines.slice(i).find((l) => l !== '') ?? '';
      if (NOT_PLAIN_STRING.test(value) || UNUSUAL.test(value) || /^\s/.test(next)) return undefined;
      out[key] = value.replace(/ +$/, '');
    }
  }
  return out;
}

/**
 * The YAML parser, for heads plainHead leaves to it: loaded on the first such head, so `list`
 * and the home screen do not load (and compile) the parser for runbooks written plainly.
 */
let yamlParse: ((text: string) => unknown) | undefined;
const parse = (text: string): unknown => {
  yamlParse ??= (createRequire(import.meta.url)('yaml') as typeof Yaml).parse;
  return yamlParse(text);
};

/** id, title and description as written, without validating the rest. */
function summary(text: string): { id?: string; title: string; description: string } {
  let doc: unknown;
  try {
    const h = head(text);
    doc =
      (h === undefined ? undefined : plainHead(h)) ?? (h === undefined ? parse(text) : parse(h));
    // Where the head lacks them (written after the steps), the whole file says.
    if (h !== undefined && !hasTitle(doc)) doc = parse(text);
  } catch (err) {
    return { title: `(invalid YAML: ${errorMessage(err).split('\n')[0] ?? ''})`, description: '' };
  }
  const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const id = str(d.id);
  return {
    ...(id ? { id } : {}),
    title: str(d.title) ?? '(invalid: no title)',
    description: str(d.description)?.trim() ?? '',
  };
}

function hasTitle(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && 'title' in doc;
}

export function listRunbooks(env: NodeJS.ProcessEnv = process.env): RunbookEntry[] {
  const seen = new Map<string, RunbookEntry>();
  for (const dir of runbookDirs(env)) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const file = join(dir, f);
      if (!isFile(file)) continue;
      const head = summary(readFileSync(file, 'utf8'));
      const id = head.id ?? f.replace(/\.ya?ml$/, '');
      if (seen.has(id)) continue;
      seen.set(id, {
        id,
        title: head.title,
        description: head.description,
        file,
      });
    }
  }
  return [...seen.values()];
}
