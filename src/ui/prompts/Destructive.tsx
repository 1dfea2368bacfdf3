import { Text } from 'ink';
import { useActions, useTheme } from '../context.js';
import type { HumanPrompt } from '../../engine/human.js';
import { PromptFrame } from './PromptFrame.js';
import { reduceDestructive, type DestructiveState } from './state.js';
import { useKeyReducer } from './use-key-reducer.js';

const same = (s: DestructiveState): DestructiveState => s;

export function Destructive(props: {
  seq: number;
  prompt: Extract<HumanPrompt, { type: 'destructive' }>;
}) {
  const actions = useActions();
  const theme = useTheme();
  const { seq, prompt } = props;
  const state = useKeyReducer(
    reduceDestructive,
    (): DestructiveState => ({ expect: prompt.expect, typed: '' }),
    same,
    (a) => actions.answer(seq, a),
  );
  return (
    <PromptFrame message={prompt.message} error={state.error}>
      <Text color={theme.color('fail')}>
        type the cluster name <Text bold>{prompt.expect}</Text> to go on
      </Text>
      <Text>
        {'› '}
        {state.typed}
        <Text inverse> </Text>
      </Text>
    </PromptFrame>
  );
}
