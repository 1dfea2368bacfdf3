import { Box, Text } from 'ink';
import { useActions, useTheme } from '../context.js';
import type { HandoffPrompt } from '../../engine/human.js';
import { SecretText } from '../common/SecretText.js';
import { PromptFrame } from './PromptFrame.js';
import { reduceHandoff } from './state.js';
import { useKeyReducer } from './use-key-reducer.js';

const none = (): null => null;

/**
 * One keyholder's secret, on screen only while this prompt is: answering unmounts it, and the
 * next keyholder's turn starts on a "pass the keyboard" page that shows nothing secret.
 */
export function Handoff(props: { seq: number; prompt: HandoffPrompt }) {
  const actions = useActions();
  const theme = useTheme();
  const { seq, prompt } = props;
  useKeyReducer(reduceHandoff, none, none, (a) => actions.answer(seq, a));
  return (
    <PromptFrame message={prompt.message} error={prompt.reopen?.error}>
      <Text>
        {prompt.holder}, your {prompt.label}:
      </Text>
      <Box borderStyle="round" paddingX={1} alignSelf="flex-start">
        <SecretText secret={prompt.secret} />
      </Box>
      {prompt.reopen?.copied ? (
        <Text color={theme.color('ok')}>
          copied: taken back from the clipboard once you prove it (at the latest in{' '}
          {prompt.clearAfterSeconds} s)
        </Text>
      ) : null}
      <Text color={theme.color('muted')}>
        Write it down (or store it) now. Next you type its last {prompt.proofLength} characters;
        once they match, it is never shown again.
        {prompt.copyable ? ' c copies it to the clipboard.' : ''}
      </Text>
    </PromptFrame>
  );
}
