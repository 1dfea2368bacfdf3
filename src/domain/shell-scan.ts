/**
 * Where in a bash script a piece of text sits: just enough of bash's quoting rules to tell what
 * bash will do with a `${NAME}` written at that place. Runbook bodies are written by people, so
 * this errs on the side of "unsafe" when it cannot tell.
 */
export type ShellPlace =
  /** Bare word: the value is word-split and globbed (never run, but mangled). */
  | 'unquoted'
  /** Inside "…", an unquoted here-document, or the right side of an assignment: kept whole. */
  | 'quoted'
  /** Inside '…', $'…' or a quoted here-document: bash does not expand anything there. */
  | 'literal'
  /** Inside $((…)) or ((…)): bash evaluates the value as arithmetic, which can run code. */
  | 'arithmetic'
  /** In a comment: nothing happens to it. */
  | 'comment';

type Frame =
  | { kind: 'top' }
  | { kind: 'cmd'; depth: number }
  | { kind: 'backtick' }
  | { kind: 'dq' }
  | { kind: 'sq' }
  | { kind: 'ansi' }
  | { kind: 'param' }
  | { kind: 'arith'; depth: number };

interface Heredoc {
  readonly delimiter: string;
  readonly quoted: boolean;
  readonly stripTabs: boolean;
}

const WORD_BREAK = /[\s;|&()<>]/;
const COMMAND_BREAK = /[\n;|&()]/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
/** Builtins whose `NAME=value` arguments bash expands like assignments (no word splitting). */
const DECLARATIONS = new Set(['export', 'local', 'declare', 'readonly', 'typeset']);

/** Feeds a script through in pieces and answers, between pieces, "what is this place?". */
export class ShellScanner {
  readonly #stack: Frame[] = [{ kind: 'top' }];
  #comment = false;
  /** Text of the current word in a command context (for `NAME=` assignments and `#`). */
  #word = '';
  /** The current simple command has got past its leading assignments (`A=1 B=2 cmd …`). */
  #started = false;
  /** …and its command is a declaration builtin. */
  #declaring = false;
  #pending: Heredoc[] = [];
  #heredoc: Heredoc | undefined;
  #line = '';
  #lineHasExpr = false;

  /**
   * Whether a value expanded here ends up in a command's arguments, which /proc/<pid>/cmdline
   * shows every local user — as opposed to a here-document (the command's standard input), an
   * assignment's value (a shell variable, or the environment of the command it precedes), a
   * comment or single quotes. Builtins are not told apart from programs: a secret belongs in
   * the environment or on standard input either way.
   */
  inArguments(): boolean {
    if (this.#heredoc || this.#comment) return false;
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const f = this.#stack[i];
      switch (f?.kind) {
        case 'sq':
        case 'ansi':
          return false;
        case 'dq':
        case 'param':
        case 'arith':
          continue;
        case 'top':
        case 'cmd':
        case 'backtick':
        case undefined:
          return !(ASSIGNMENT.test(this.#word) && (!this.#started || this.#declaring));
      }
    }
    return true;
  }

  place(): ShellPlace {
    if (this.#heredoc) return this.#heredoc.quoted ? 'literal' : 'quoted';
    if (this.#comment) return 'comment';
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const f = this.#stack[i];
      switch (f?.kind) {
        case 'sq':
        case 'ansi':
          return 'literal';
        case 'dq':
          return 'quoted';
        case 'arith':
          return 'arithmetic';
        case 'param':
          continue;
        case 'top':
        case 'cmd':
        case 'backtick':
        case undefined:
          return ASSIGNMENT.test(this.#word) && (!this.#started || this.#declaring)
            ? 'quoted'
            : 'unquoted';
      }
    }
    return 'unquoted';
  }

  /** An expression reference stands here: it is part of the current word and line. */
  reference(): void {
    this.#word += 'x';
    this.#lineHasExpr = true;
  }

  feed(text: string): void {
    const s = text;
    let i = 0;
    while (i < s.length) {
      const c = s.charAt(i);
      if (this.#heredoc) {
        i = this.#heredocChar(s, i);
        continue;
      }
      const top = this.#stack[this.#stack.length - 1] ?? { kind: 'top' };
      if (this.#comment) {
        if (c === '\n') this.#newline();
        i++;
        continue;
      }
      switch (top.kind) {
        case 'sq':
          if (c === "'") this.#stack.pop();
          i++;
          continue;
        case 'ansi':
          if (c === '\\') i += 2;
          else {
            if (c === "'") this.#stack.pop();
            i++;
          }
          continue;
        case 'dq':
          if (c === '\\') {
            i += 2;
            continue;
          }
          if (c === '"') {
            this.#stack.pop();
            i++;
            continue;
          }
          i = this.#dollar(s, i);
          continue;
        case 'param':
          if (c === '}') {
            this.#stack.pop();
            i++;
            continue;
          }
          i = this.#commandChar(s, i, top);
          continue;
        case 'arith':
          if (c === '(') top.depth++;
          else if (c === ')') {
            if (top.depth === 0) {
              this.#stack.pop();
              i += s.charAt(i + 1) === ')' ? 2 : 1;
              continue;
            }
            top.depth--;
          }
          i = c === '(' || c === ')' ? i + 1 : this.#dollar(s, i);
          continue;
        case 'top':
        case 'cmd':
        case 'backtick':
          i = this.#commandChar(s, i, top);
          continue;
      }
    }
  }

  /** `$…` expansions that open a new context; anything else is one plain character. */
  #dollar(s: string, i: number): number {
    const c = s.charAt(i);
    if (c === '`') {
      const top = this.#stack[this.#stack.length - 1];
      if (top?.kind === 'backtick') this.#stack.pop();
      else this.#stack.push({ kind: 'backtick' });
      return i + 1;
    }
    if (c !== '$') return i + 1;
    const n = s.charAt(i + 1);
    if (n === '(' && s.charAt(i + 2) === '(') {
      this.#stack.push({ kind: 'arith', depth: 0 });
      return i + 3;
    }
    if (n === '(') {
      this.#stack.push({ kind: 'cmd', depth: 0 });
      this.#endWord('(');
      return i + 2;
    }
    if (n === '{') {
      this.#stack.push({ kind: 'param' });
      return i + 2;
    }
    const top = this.#stack[this.#stack.length - 1];
    if (n === "'" && top?.kind !== 'dq') {
      this.#stack.push({ kind: 'ansi' });
      return i + 2;
    }
    return i + 1;
  }

  #commandChar(s: string, i: number, top: Frame): number {
    const c = s.charAt(i);
    if (c === '\\') {
      this.#word += s.slice(i, i + 2);
      return i + 2;
    }
    if (c === '\n') {
      this.#newline();
      return i + 1;
    }
    if (c === '#' && this.#word === '' && top.kind !== 'param') {
      this.#comment = true;
      return i + 1;
    }
    if (c === "'") {
      this.#word += c;
      this.#stack.push({ kind: 'sq' });
      return i + 1;
    }
    if (c === '"') {
      this.#word += c;
      this.#stack.push({ kind: 'dq' });
      return i + 1;
    }
    if (top.kind === 'cmd' && (c === '(' || c === ')')) {
      if (c === '(') top.depth++;
      else if (top.depth === 0) {
        this.#stack.pop();
        this.#word += 'x';
        return i + 1;
      } else top.depth--;
    }
    if (c === '(' && s.charAt(i + 1) === '(' && this.#word === '') {
      this.#stack.push({ kind: 'arith', depth: 0 });
      return i + 2;
    }
    if (c === '<' && s.charAt(i + 1) === '<' && s.charAt(i + 2) !== '<') {
      const end = this.#heredocOperator(s, i + 2);
      if (end !== undefined) return end;
    }
    if (WORD_BREAK.test(c)) {
      this.#endWord(c);
      return i + 1;
    }
    const before = this.#stack.length;
    const next = this.#dollar(s, i);
    if (this.#stack.length === before) this.#word += s.slice(i, next);
    else this.#word += 'x';
    return next;
  }

  /** `<<[-] WORD`: the body starts at the next line; a quoted WORD turns expansion off. */
  #heredocOperator(s: string, from: number): number | undefined {
    let j = from;
    const stripTabs = s.charAt(j) === '-';
    if (stripTabs) j++;
    while (s.charAt(j) === ' ' || s.charAt(j) === '\t') j++;
    let raw = '';
    while (j < s.length && !WORD_BREAK.test(s.charAt(j))) {
      raw += s.charAt(j);
      j++;
    }
    // A delimiter word cut by an expression (`<<${{ x }}`) is not one we can know: not a heredoc.
    if (!raw || j >= s.length) return undefined;
    const quoted = /["'\\]/.test(raw);
    this.#pending.push({ delimiter: raw.replace(/["'\\]/g, ''), quoted, stripTabs });
    this.#word = '';
    return j;
  }

  #endWord(separator: string): void {
    const w = this.#word;
    this.#word = '';
    if (COMMAND_BREAK.test(separator)) {
      this.#started = false;
      this.#declaring = false;
      return;
    }
    if (!w || ASSIGNMENT.test(w)) return;
    if (!this.#started && DECLARATIONS.has(w)) this.#declaring = true;
    this.#started = true;
  }

  #newline(): void {
    this.#comment = false;
    this.#endWord('\n');
    const next = this.#pending.shift();
    if (next) {
      this.#heredoc = next;
      this.#line = '';
      this.#lineHasExpr = false;
    }
  }

  #heredocChar(s: string, i: number): number {
    const doc = this.#heredoc;
    const c = s.charAt(i);
    if (!doc) return i + 1;
    if (c !== '\n') {
      this.#line += c;
      return i + 1;
    }
    const line = doc.stripTabs ? this.#line.replace(/^\t+/, '') : this.#line;
    if (!this.#lineHasExpr && line === doc.delimiter) {
      this.#heredoc = this.#pending.shift();
    }
    this.#line = '';
    this.#lineHasExpr = false;
    return i + 1;
  }
}
