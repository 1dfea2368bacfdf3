import { Box, Text, useStdout } from 'ink';
import { useTheme, useUi } from '../context.js';
import { useKeyReducer } from '../prompts/use-key-reducer.js';
import { StatusPane } from '../status/StatusPane.js';
import { reduceHome, type HomeState } from './home-state.js';
import { clampLines, reflow } from '../common/reflow.js';

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
  const { stdout } = useStdout();
  const cluster = useUi((s) => s.cluster);
  // On a short terminal the description gives way, so the list and the status pane stay on
  // screen (at 80×24 the runbook list used to scroll off the top).
  const compact = (stdout.rows || 100) < 32;
  // Two regions' tables do not fit a short terminal beside the list: their short form does.
  const drCompact = compact && Boolean(cluster?.dr);
  const drRows = cluster?.dr
    ? cluster.dr.nodes.length + cluster.dr.nodes.filter((n) => n.error).length + 2
    : 0;
  const statusRows = drCompact
    ? 7
    : cluster
      ? 4 +
        cluster.nodes.length +
        cluster.nodes.filter((n) => n.error).length +
        cluster.regions.length +
        drRows
      : 3;
  // Lines besides the description: header, list, the description box's frame, status, hints.
  const fixed = runbooks.length + (compact ? 5 : 8) + statusRows;
  const room = stdout.rows ? stdout.rows - 1 - fixed : Number.POSITIVE_INFINITY;
  // With many runbooks on a short terminal even one line of description does not fit: the box
  // goes, so every runbook, the cluster's seal state and the key hints stay on screen.
  const showBox = !compact || room >= 1;
  const descRoom = Math.max(1, room);
  const description = selected?.description
    ? clampLines(reflow(selected.description), (stdout.columns || 80) - 4, descRoom)
    : '';
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
      {selected && showBox ? (
        <Box
          flexDirection="column"
          marginY={compact ? 0 : 1}
          borderStyle="single"
          borderColor={theme.color('muted')}
          paddingX={1}
        >
          {compact ? null : <Text bold>{selected.title}</Text>}
          {description ? <Text>{description}</Text> : null}
        </Box>
      ) : null}
      <StatusPane compact={drCompact} />
    </Box>
  );
}
