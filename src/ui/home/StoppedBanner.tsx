import { Box, Text } from 'ink';
import { useTheme } from '../context.js';

/** Rows the banner takes at this width (the home screen leaves room for it). */
export function bannerRows(warnings: readonly string[], columns: number): number {
  if (warnings.length === 0) return 0;
  const inner = Math.max(10, columns - 4);
  return 2 + warnings.reduce((n, w) => n + Math.ceil(w.length / inner), 0);
}

/**
 * A run that stopped the cluster and never finished: red, above everything, until it is
 * resumed — the cluster is down and nobody may have noticed.
 */
export function StoppedBanner({ warnings }: { readonly warnings: readonly string[] }) {
  const theme = useTheme();
  if (warnings.length === 0) return null;
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.color('fail')} paddingX={1}>
      {warnings.map((w) => (
        <Text key={w} bold color={theme.color('fail')}>
          {w}
        </Text>
      ))}
    </Box>
  );
}
