import { Box, Text } from 'ink';
import { useTheme, useUi } from '../context.js';

/** The one place errors reach the screen (STYLE 6). */
export function ErrorPanel() {
  const theme = useTheme();
  const error = useUi((s) => s.error);
  if (!error) return null;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color('fail')} paddingX={1}>
      <Text bold color={theme.color('fail')}>
        ✗ {error.message}
      </Text>
      {error.nextSteps.map((s, i) => (
        <Text key={i}>→ {s}</Text>
      ))}
    </Box>
  );
}
