import { Text } from 'ink';
import { useActions } from '../context.js';
import type { HumanPrompt } from '../../engine/human.js';
import { PromptFrame } from './PromptFrame.js';
import { reduceInstructions } from './state.js';
import { useKeyReducer } from './use-key-reducer.js';

const none = (): null => null;

export function Instructions(props: {
  seq: number;
  prompt: Extract<HumanPrompt, { type: 'instructions' }>;
}) {
  const actions = useActions();
  const { seq, prompt } = props;
  useKeyReducer(reduceInstructions, none, none, (a) => actions.answer(seq, a));
  return (
    <PromptFrame message={prompt.message}>
      <Text>press enter when done: {prompt.ack}</Text>
    </PromptFrame>
  );
}
