import { ExpressionError } from './errors.js';
import {
  evaluate,
  parseTemplate,
  stringify,
  Unknown,
  type EvalOptions,
  type Expr,
  type ExprContext,
} from './expr.js';
import { Secret } from './secret.js';
import { ShellScanner, type ShellPlace } from './shell-scan.js';

/**
 * A `run:` body's `${{ … }}` never becomes shell source. Each distinct expression gets an
 * environment variable (`${{ inputs.version }}` → `VR_INPUTS_VERSION`), the body given to bash
 * says `${VR_INPUTS_VERSION}` where the expression stood, and the value travels in the
 * environment. Bash expands a variable's value without parsing it again, so no value — `$(…)`,
 * `"; rm …`, backticks, newlines — can run, whatever the author's quoting, and no value sits
 * in the command line that `ps` shows every local user.
 */
export interface ShellReference {
  readonly name: string;
  readonly source: string;
  readonly expr: Expr;
  /** Offset of the expression's source inside the body. */
  readonly offset: number;
  readonly place: ShellPlace;
  /** The value would be part of a command's arguments (see ShellScanner.inArguments). */
  readonly inArguments: boolean;
}

export interface CompiledShell {
  readonly script: string;
  readonly references: readonly ShellReference[];
}

/** Names given so far, shared by the bodies of one step (its `run:` and its `probe:`). */
export class ShellNames {
  readonly #bySource = new Map<string, string>();
  readonly #taken: Set<string>;
  constructor(taken: Iterable<string> = []) {
    this.#taken = new Set(taken);
  }
  nameFor(source: string): string {
    const known = this.#bySource.get(source);
    if (known) return known;
    const base = `VR_${source
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40)
      .replace(/_+$/, '')}`;
    const stem = base === 'VR_' ? 'VR_EXPR' : base;
    let name = stem;
    for (let n = 2; this.#taken.has(name); n++) name = `${stem}_${n}`;
    this.#taken.add(name);
    this.#bySource.set(source, name);
    return name;
  }
}

export function compileShell(body: string, names: ShellNames = new ShellNames()): CompiledShell {
  const scanner = new ShellScanner();
  const references: ShellReference[] = [];
  let script = '';
  for (const part of parseTemplate(body)) {
    if ('text' in part) {
      scanner.feed(part.text);
      script += part.text;
      continue;
    }
    const name = names.nameFor(part.source);
    references.push({
      name,
      source: part.source,
      expr: part.expr,
      offset: part.offset,
      place: scanner.place(),
      inArguments: scanner.inArguments(),
    });
    scanner.reference();
    script += `\${${name}}`;
  }
  return { script, references };
}

/** Why a reference at this place is refused outright (a lint error and a failed step). */
export function refusal(place: ShellPlace): string | undefined {
  switch (place) {
    case 'literal':
      // Bash would print `${VR_…}` itself, and splicing the value in instead would make it code
      // of whatever reads that text (jq, awk, SQL…): neither is what the author wants.
      return 'bash expands nothing inside single quotes or a quoted here-document; pass the value as an argument (jq --arg v "${{ … }}" \'… $v …\', awk -v v="${{ … }}"), or close the quotes around it if the text is not code for another program';
    case 'arithmetic':
      return 'an expression inside $(( )) or (( )) would be evaluated as code by bash arithmetic; check it is a number first ([[ "$X" =~ ^[0-9]+$ ]]) and use that variable';
    case 'unquoted':
    case 'quoted':
    case 'comment':
      return undefined;
  }
}

/** Environment value of an expression's result: text for data, a Secret stays a Secret. */
function envValue(v: unknown): string | Secret {
  if (v instanceof Secret) return v;
  if (v instanceof Unknown) return v.toString();
  return stringify(v);
}

export interface ResolvedShell {
  readonly script: string;
  readonly env: Record<string, string | Secret>;
}

/** The body to give bash and the environment its references read. */
export function resolveShell(
  body: string,
  ctx: ExprContext,
  names: ShellNames,
  opts: EvalOptions = {},
): ResolvedShell {
  const compiled = compileShell(body, names);
  const env: Record<string, string | Secret> = {};
  for (const ref of compiled.references) {
    const why = refusal(ref.place);
    if (why) throw new ExpressionError(`\${{ ${ref.source} }}: ${why}`, ref.offset);
    const value = envValue(evaluate(ref.expr, ctx, opts));
    // Passing it by environment keeps it out of bash's own command line, but bash would then
    // expand it into the arguments of the command it runs, for every local user to read.
    if (value instanceof Secret && ref.inArguments)
      throw new ExpressionError(
        `\${{ ${ref.source} }}: a secret here would be in a command's arguments, which ps and /proc show every local user; give it to the command in its environment (the step's env:) or on its standard input (a here-document)`,
        ref.offset,
      );
    env[ref.name] = value;
  }
  return { script: compiled.script, env };
}
