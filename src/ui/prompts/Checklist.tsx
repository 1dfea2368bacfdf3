import { Text } from 'ink';
import { useActions, useTheme } from '../context.js';
import type { HumanPrompt } from '../../engine/human.js';
import { PromptFrame } from './PromptFrame.js';
import { initialChecklist, reduceChecklist, type ChecklistState } from './state.js';
import { useKeyReducer } from './use-key-reducer.js';

const same = (s: ChecklistState): ChecklistState => s;

export function Checklist(props: {
  seq: number;
  prompt: Extract<HumanPrompt, { type: 'checklist' }>;
}) {
  const actions = useActions();
  const theme = useTheme();
  const { seq, prompt } = props;
  const state = useKeyReducer(
    reduceChecklist,
    () => initialChecklist(prompt.items),
    same,
    (a) => actions.answer(seq, a),
  );
  const done = state.checked.filter(Boolean).length;
  return (
    <PromptFrame message={prompt.message} error={state.error}>
      {state.items.map((item, i) => (
        <Text key={item} color={i === state.cursor ? theme.color('accent') : undefined}>
          {i === state.cursor ? '› ' : '  '}
          {state.checked[i] ? '[x] ' : '[ ] '}
          {item}
        </Text>
      ))}
      <Text color={theme.color('muted')}>
        {done}/{state.items.length} ticked
      </Text>
    </PromptFrame>
  );
}
