import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../context.js';

/** The message, the prompt's body and its last complaint, laid out the same for every type. */
export function PromptFrame(props: {
  message: string;
  error?: string | undefined;
  children: ReactNode;
}) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold color={theme.color('warn')}>
        ⏸ {props.message}
      </Text>
      <Box flexDirection="column" marginLeft={2}>
        {props.children}
      </Box>
      {props.error ? <Text color={theme.color('fail')}> {props.error}</Text> : null}
    </Box>
  );
}
