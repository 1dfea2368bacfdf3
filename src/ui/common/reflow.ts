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

/**
 * At most `maxLines` screen lines of `text` wrapped at `width` columns (word-wrapped, roughly as
 * Ink does), the last one ending in "…" when something was cut.
 */
export function clampLines(text: string, width: number, maxLines: number): string {
  const w = Math.max(10, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    const words = para.split(' ');
    for (const word of words) {
      if (line !== '' && line.length + 1 + word.length > w) {
        out.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
      while (line.length > w) {
        out.push(line.slice(0, w));
        line = line.slice(w);
      }
    }
    out.push(line);
  }
  if (out.length <= maxLines) return text;
  const kept = out.slice(0, Math.max(1, maxLines));
  const last = kept[kept.length - 1] ?? '';
  kept[kept.length - 1] = `${last.slice(0, w - 2)} …`;
  return kept.join('\n');
}
