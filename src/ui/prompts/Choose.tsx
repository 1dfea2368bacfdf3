import { Box, Text } from 'ink';
import { useActions, useTheme } from '../context.js';
import type { HumanPrompt } from '../../engine/human.js';
import { PromptFrame } from './PromptFrame.js';
import { reduceChoose, type ChooseState } from './state.js';
import { useKeyReducer } from './use-key-reducer.js';

const same = (s: ChooseState): ChooseState => s;

export function Choose(props: { seq: number; prompt: Extract<HumanPrompt, { type: 'choose' }> }) {
  const actions = useActions();
  const theme = useTheme();
  const { seq, prompt } = props;
  const state = useKeyReducer(
    reduceChoose,
    (): ChooseState => ({ options: prompt.options, cursor: 0 }),
    same,
    (a) => actions.answer(seq, a),
  );
  const selected = prompt.options[state.cursor];
  return (
    <PromptFrame message={prompt.message}>
      <Box flexDirection="column">
        {prompt.options.map((o, i) => (
          <Text
            key={o.value}
            color={i === state.cursor ? theme.color('accent') : undefined}
            bold={i === state.cursor}
          >
            {i === state.cursor ? '› ' : '  '}
            {o.label}
            {o.label !== o.value ? <Text color={theme.color('muted')}> ({o.value})</Text> : null}
          </Text>
        ))}
      </Box>
      {selected?.description ? (
        <Text color={theme.color('muted')}>{selected.description}</Text>
      ) : null}
    </PromptFrame>
  );
}
