import { inspect } from 'node:util';
import { maskTokens, stripControls } from './sanitize.js';

export const REDACTED = '‹redacted›';

/**
 * An unseal share, root token or recovery key. It refuses every way a value usually leaks:
 * JSON, string conversion, template literals and util.inspect all give ‹redacted›. The
 * plaintext is reachable only through reveal(), which makes each use greppable.
 */
export class Secret {
  readonly #value: string;
  readonly label: string;
  constructor(value: string, label = 'secret') {
    this.#value = value;
    this.label = label;
  }
  reveal(): string {
    return this.#value;
  }
  get length(): number {
    return this.#value.length;
  }
  /** Last n characters, for "prove you recorded it" checks; never more than a quarter. */
  tail(n: number): string {
    const k = Math.min(n, Math.floor(this.#value.length / 4));
    return this.#value.slice(this.#value.length - k);
  }
  equals(other: Secret): boolean {
    return other.#value === this.#value;
  }
  toJSON(): string {
    return REDACTED;
  }
  toString(): string {
    return REDACTED;
  }
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}

/**
 * Cleans text that is about to reach a screen, a journal or a log: masks every known secret
 * value (longer ones first, so that one secret containing another cannot leave a tail) and
 * anything shaped like a Vault token, and drops terminal control characters.
 */
export class Redactor {
  readonly #values = new Set<string>();
  add(secret: Secret | string): void {
    const v = typeof secret === 'string' ? secret : secret.reveal();
    // Very short values would mask ordinary text everywhere and protect nothing.
    if (v.length >= 4) this.#values.add(v);
  }
  get size(): number {
    return this.#values.size;
  }
  redact(text: string): string {
    // Values are masked before and after the control characters go: a secret printed with an
    // escape sequence in the middle is whole only afterwards.
    return maskTokens(this.#mask(stripControls(this.#mask(text))), REDACTED);
  }
  #mask(text: string): string {
    let out = text;
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
    }
    return out;
  }
  /** Deep copy of plain data with Secrets replaced and known values masked in strings. */
  redactData(data: unknown): unknown {
    if (isSecret(data)) return REDACTED;
    if (typeof data === 'string') return this.redact(data);
    if (Array.isArray(data)) return data.map((d) => this.redactData(d));
    if (data !== null && typeof data === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(data)) out[k] = this.redactData(v);
      return out;
    }
    return data;
  }
}
