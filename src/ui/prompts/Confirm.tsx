import { Text } from 'ink';
import { useActions } from '../context.js';
import type { HumanPrompt } from '../../engine/human.js';
import { PromptFrame } from './PromptFrame.js';
import { reduceConfirm, type ConfirmState } from './state.js';
import { useKeyReducer } from './use-key-reducer.js';

const same = (s: ConfirmState): ConfirmState => s;

export function Confirm(props: { seq: number; prompt: Extract<HumanPrompt, { type: 'confirm' }> }) {
  const actions = useActions();
  const { seq, prompt } = props;
  const state = useKeyReducer(
    reduceConfirm,
    () => (prompt.default === undefined ? {} : { default: prompt.default }),
    same,
    (a) => actions.answer(seq, a),
  );
  const choices = prompt.default === undefined ? 'y/n' : prompt.default ? 'Y/n' : 'y/N';
  return (
    <PromptFrame message={prompt.message} error={state.hint}>
      <Text>[{choices}]</Text>
    </PromptFrame>
  );
}
