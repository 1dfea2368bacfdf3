import { Box, Text } from 'ink';
import { useTheme } from '../context.js';

export function AbortOverlay() {
  const theme = useTheme();
  return (
    <Box borderStyle="double" borderColor={theme.color('fail')} paddingX={1}>
      <Text bold color={theme.color('fail')}>
        Abort run? y/N
      </Text>
      <Text color={theme.color('muted')}>
        {' '}
        the running step is stopped and the journal records the abort
      </Text>
    </Box>
  );
}
