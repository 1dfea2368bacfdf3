import { Text } from 'ink';
import { useActions, useTheme } from '../context.js';
import type { HumanPrompt } from '../../engine/human.js';
import { PromptFrame } from './PromptFrame.js';
import { reduceInput, type InputState } from './state.js';
import { useKeyReducer } from './use-key-reducer.js';

const same = (s: InputState): InputState => s;

export function Input(props: { seq: number; prompt: Extract<HumanPrompt, { type: 'input' }> }) {
  const actions = useActions();
  const theme = useTheme();
  const { seq, prompt } = props;
  const state = useKeyReducer(
    reduceInput,
    (): InputState => ({
      value: '',
      ...(prompt.pattern !== undefined ? { pattern: prompt.pattern } : {}),
      ...(prompt.default !== undefined ? { default: prompt.default } : {}),
    }),
    same,
    (a) => actions.answer(seq, a),
  );
  const placeholder =
    prompt.placeholder ?? (prompt.default !== undefined ? `default: ${prompt.default}` : '');
  return (
    <PromptFrame message={prompt.message} error={state.error}>
      <Text>
        {'› '}
        {state.value === '' ? <Text color={theme.color('muted')}>{placeholder}</Text> : state.value}
        <Text inverse> </Text>
      </Text>
      {prompt.pattern !== undefined ? (
        <Text color={theme.color('muted')}>must match {prompt.pattern}</Text>
      ) : null}
    </PromptFrame>
  );
}
