import { Box, Text } from 'ink';
import { useTheme } from '../context.js';
import { helpRows } from '../keys.js';

/** Every key binding, straight from keys.ts. */
export function HelpOverlay() {
  const theme = useTheme();
  const rows = helpRows();
  const kw = Math.max(...rows.map((r) => r.keys.length));
  const lw = Math.max(...rows.map((r) => r.label.length));
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={theme.color('accent')}
      paddingX={1}
    >
      <Text bold>Keys</Text>
      {rows.map((r, i) => (
        <Text key={i}>
          {r.keys.padEnd(kw + 2)}
          {r.label.padEnd(lw + 2)}
          <Text color={theme.color('muted')}>{r.where}</Text>
        </Text>
      ))}
    </Box>
  );
}
