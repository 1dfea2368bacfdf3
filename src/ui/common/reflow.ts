/**
 * Runbook descriptions are YAML block text, wrapped by hand at ~100 columns. Ink wraps again at
 * the terminal's width, which left ragged half-lines on a narrow terminal. Lines of one
 * paragraph are joined; blank lines, list items and indented (code) lines keep their breaks.
 */
export function reflow(text: string): string {
  const out: string[] = [];
  const keepsBreak = (line: string): boolean =>
    line.trim() === '' || /^\s/.test(line) || /^([-*•·]|\d+[.)])\s/.test(line);
  for (const line of text.trim().split('\n')) {
    const prev = out.length > 0 ? out[out.length - 1] : undefined;
    if (prev !== undefined && prev.trim() !== '' && !keepsBreak(line) && !/^\s/.test(prev))
      out[out.length - 1] = `${prev.trimEnd()} ${line.trim()}`;
    else out.push(line.trimEnd());
  }
  return out.join('\n');
}
