/**
 * Text from outside (step output, Vault and AWS answers, profile fields) on its way to a
 * terminal or a journal. A terminal obeys escape sequences: one in a Vault `version` could
 * move the cursor, rewrite what an operator reads, set the window title or, on some
 * terminals, answer back into the input. Only \n and \t survive; everything else that is a
 * control character (C0, DEL, C1, and whole ESC sequences) is dropped, and so are Unicode's
 * bidirectional controls (U+061C, U+200E/F, U+202A–E, U+2066–9): a key named `\u202Egpj.exe`
 * would otherwise print reversed, as `exe.jpg`, in a list an operator decides from.
 */
// ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC), ESC P/X/^/_ … ESC \ (DCS, SOS, PM, APC),
// then any other two-character ESC sequence; the 8-bit forms start with U+009B / U+009D etc.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function stripControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text))
    return text;
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** Plain data with every string cleaned; class instances (a Secret) are left as they are. */
export function stripControlsDeep<T>(data: T): T {
  if (typeof data === 'string') return stripControls(data) as T;
  if (Array.isArray(data)) return data.map((d: unknown) => stripControlsDeep(d)) as T;
  if (
    data !== null &&
    typeof data === 'object' &&
    Object.getPrototypeOf(data) === Object.prototype
  ) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) out[k] = stripControlsDeep(v);
    return out as T;
  }
  return data;
}

/**
 * Vault token shapes (hashicorp/vault sdk/helper/consts/token_consts.go): service `hvs.`,
 * batch `hvb.`, recovery `hvr.`, and the pre-1.10 `s.` (24 base62 characters), `b.`, `r.`; a
 * token of a namespace carries `.<namespace id>` after it.
 */
const TOKEN =
  /(?<![A-Za-z0-9_.-])(?:hv[sbr]\.[A-Za-z0-9_-]{20,}|[sbr]\.[A-Za-z0-9_-]{24,})(?:\.[A-Za-z0-9]{4,})?(?![A-Za-z0-9_-])/g;

/** Token-shaped strings replaced, so a command that prints a token does not leak it. */
export function maskTokens(text: string, mask: string): string {
  return text.replace(TOKEN, mask);
}
