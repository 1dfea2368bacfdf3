import { Box, Text } from 'ink';
import { useTheme } from '../context.js';

/** Rows a text takes when word-wrapped at this width (a word longer than a row is cut). */
function wrappedRows(text: string, width: number): number {
  let rows = 1;
  let used = 0;
  for (const word of text.split(' ')) {
    const w = word.length;
    if (used === 0) used = w;
    else if (used + 1 + w <= width) used += 1 + w;
    else {
      rows++;
      used = w;
    }
    while (used > width) {
      rows++;
      used -= width;
    }
  }
  return rows;
}

/** Rows the banner takes at this width (the home screen leaves room for it). */
export function bannerRows(warnings: readonly string[], columns: number, framed = true): number {
  if (warnings.length === 0) return 0;
  const inner = Math.max(10, framed ? columns - 4 : columns);
  return (framed ? 2 : 0) + warnings.reduce((n, w) => n + wrappedRows(w, inner), 0);
}

/**
 * A run that stopped the cluster and did not start it: red, above everything, until it is
 * resumed or the cluster is back (see pending-stop.ts) — the cluster is down and nobody may
 * have noticed. On a short terminal the frame goes, so the steps to bring it back stay whole.
 */
export function StoppedBanner({
  warnings,
  framed = true,
}: {
  readonly warnings: readonly string[];
  readonly framed?: boolean;
}) {
  const theme = useTheme();
  if (warnings.length === 0) return null;
  const lines = warnings.map((w) => (
    <Text key={w} bold color={theme.color('fail')}>
      {w}
    </Text>
  ));
  return framed ? (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.color('fail')} paddingX={1}>
      {lines}
    </Box>
  ) : (
    <Box flexDirection="column">{lines}</Box>
  );
}
