import { Box, Text } from 'ink';
import { useTheme } from '../context.js';

export function AbortOverlay({ warning }: { warning?: string }) {
  const theme = useTheme();
  return (
    <Box borderStyle="double" borderColor={theme.color('fail')} paddingX={1} flexDirection="column">
      <Box>
        <Text bold color={theme.color('fail')}>
          Abort run? y/N
        </Text>
        <Text color={theme.color('muted')}>
          {' '}
          the running step is stopped and the journal records the abort
        </Text>
      </Box>
      {warning ? (
        <Text bold color={theme.color('fail')}>
          {warning.trim()}
          {'\n'}Press y to abort anyway; Ctrl-C does not confirm here.
        </Text>
      ) : null}
    </Box>
  );
}
