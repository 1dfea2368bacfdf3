import { Box, Text, useStdout } from 'ink';
import { useTheme, useUi } from '../context.js';
import { useKeyReducer } from '../prompts/use-key-reducer.js';
import { StatusPane } from '../status/StatusPane.js';
import { reduceHome, statusPaneRows, type HomeState } from './home-state.js';
import { clampLines, reflow } from '../common/reflow.js';
import { bannerRows, StoppedBanner } from './StoppedBanner.js';

const same = (s: HomeState): HomeState => s;
const NONE: readonly string[] = [];

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
  // On a short terminal the description gives way, so the list and the status pane stay on
  // screen (at 80×24 the runbook list used to scroll off the top).
  const compact = (stdout.rows || 100) < 32;
  // Numbers, not the status itself: a status that changes a value but not the pane's height
  // re-renders the pane (it reads the status), not this list and description. An empty
  // warnings list is the same as none, so its arrival after the first frame renders nothing.
  const warnings = useUi((s) => (s.warnings?.length ? s.warnings : NONE));
  // Two regions' tables do not fit a short terminal beside the list: their short form does.
  const drCompact = useUi((s) => compact && Boolean(s.cluster?.dr));
  const statusRows = useUi((s) => statusPaneRows(s.cluster, drCompact));
  // A stopped cluster outranks the title: on a short terminal the banner loses its frame and
  // the title line, so its steps stay whole next to every runbook.
  const terse = compact && warnings.length > 0;
  // Lines besides the description: header, list, the description box's frame, status, banner, hints.
  const fixed =
    runbooks.length +
    (compact ? 5 : 8) -
    (terse ? 1 : 0) +
    statusRows +
    bannerRows(warnings, stdout.columns || 80, !terse);
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
      {terse ? null : (
        <Text bold>
          vault-runbook{' '}
          <Text color={theme.color('muted')}>· guided, journaled runbooks for Vault</Text>
        </Text>
      )}
      <StoppedBanner warnings={warnings} framed={!terse} />
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
