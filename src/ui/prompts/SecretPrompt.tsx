import { Text } from 'ink';
import { useActions, useTheme } from '../context.js';
import type { HumanPrompt } from '../../engine/human.js';
import { PromptFrame } from './PromptFrame.js';
import { initialSecretEntry, reduceSecret, secretView } from './secret-entry.js';
import { useKeyReducer } from './use-key-reducer.js';

/** Masked entry: the screen gets one • per character and nothing else of what was typed. */
export function SecretPrompt(props: {
  seq: number;
  prompt: Extract<HumanPrompt, { type: 'secret' }>;
}) {
  const actions = useActions();
  const theme = useTheme();
  const { seq, prompt } = props;
  const view = useKeyReducer(
    reduceSecret,
    () => initialSecretEntry(prompt.label, prompt.confirm === true),
    secretView,
    (a) => actions.answer(seq, a),
  );
  return (
    <PromptFrame message={prompt.message} error={view.error}>
      <Text color={theme.color('muted')}>
        {view.phase === 'again'
          ? `type the ${prompt.label} again to confirm`
          : `${prompt.label} (masked)`}
      </Text>
      <Text>
        {'› '}
        {'•'.repeat(view.length)}
        <Text inverse> </Text>
      </Text>
    </PromptFrame>
  );
}
