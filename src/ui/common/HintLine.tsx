import { Text } from 'ink';
import { useTheme } from '../context.js';
import { hintLine, type KeyContext } from '../keys.js';

export function HintLine({ context }: { context: KeyContext }) {
  const theme = useTheme();
  return <Text color={theme.color('muted')}>{hintLine(context)}</Text>;
}
