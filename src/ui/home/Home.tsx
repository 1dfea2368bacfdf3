import { Box, Text } from 'ink';
import { useTheme, useUi } from '../context.js';
import { useKeyReducer } from '../prompts/use-key-reducer.js';
import { StatusPane } from '../status/StatusPane.js';
import { reduceHome, type HomeState } from './home-state.js';
import { reflow } from '../common/reflow.js';

const same = (s: HomeState): HomeState => s;

/** The runbook list with the selected runbook's description, and the cluster status. */
export function Home() {
  const theme = useTheme();
  const runbooks = useUi((s) => s.runbooks);
  const actions = useUi((s) => s.actions);
  const state = useKeyReducer(
    reduceHome,
    (): HomeState => ({ cursor: 0, count: runbooks.length }),
    same,
    (i) => {
      const rb = runbooks[i];
      if (rb) actions.startRun(rb.id);
    },
  );
  const selected = runbooks[state.cursor];
  return (
    <Box flexDirection="column">
      <Text bold>
        vault-runbook{' '}
        <Text color={theme.color('muted')}>· guided, journaled runbooks for Vault</Text>
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {runbooks.length === 0 ? <Text color={theme.color('muted')}>no runbooks found</Text> : null}
        {runbooks.map((rb, i) => (
          <Text
            key={rb.id}
            color={i === state.cursor ? theme.color('accent') : undefined}
            bold={i === state.cursor}
            wrap="truncate-end"
          >
            {i === state.cursor ? '› ' : '  '}
            {rb.id.padEnd(Math.max(...runbooks.map((r) => r.id.length)) + 2)}
            {rb.title}
          </Text>
        ))}
      </Box>
      {selected ? (
        <Box
          flexDirection="column"
          marginY={1}
          borderStyle="single"
          borderColor={theme.color('muted')}
          paddingX={1}
        >
          <Text bold>{selected.title}</Text>
          {selected.description ? <Text>{reflow(selected.description)}</Text> : null}
        </Box>
      ) : null}
      <StatusPane />
    </Box>
  );
}
