import { Box, Text, useStdout } from 'ink';
import { useTheme, useUi } from '../context.js';
import type { ClusterView } from '../store.js';
import {
  clusterTitle,
  columnWidths,
  compactNodeCell,
  NODE_HEADERS,
  nodeCells,
  regionLine,
  regionTone,
  visibleColumns,
} from './format.js';
import { Row } from './Row.js';
import { CompactTwoRegions, TwoRegionTable } from './TwoRegions.js';

function ClusterTable({ cluster }: { cluster: ClusterView }) {
  const theme = useTheme();
  const { stdout } = useStdout();
  const all = cluster.nodes.map(nodeCells);
  const allWidths = columnWidths(all, NODE_HEADERS);
  // The pane's border and padding take 4 columns.
  const keep = visibleColumns(allWidths, NODE_HEADERS, (stdout.columns || 80) - 4);
  const pick = <T,>(xs: readonly T[]): T[] => keep.map((i) => xs[i] as T);
  const rows = all.map(pick);
  const widths = pick(allWidths);
  const headers = pick(NODE_HEADERS);
  return (
    <Box flexDirection="column">
      <Text bold>{clusterTitle(cluster)}</Text>
      <Row cells={headers.map((text) => ({ text, tone: 'muted' }))} widths={widths} />
      {cluster.nodes.map((n, i) => (
        <Box key={n.name} flexDirection="column">
          <Row cells={rows[i] ?? []} widths={widths} />
          {n.error ? <Text color={theme.color('fail')}> {n.error}</Text> : null}
        </Box>
      ))}
      {cluster.regions.map((r) => {
        const tone = regionTone(r);
        return (
          <Text key={r.name} color={tone ? theme.color(tone) : undefined}>
            {regionLine(r)}
          </Text>
        );
      })}
    </Box>
  );
}

/** The same status in two or three lines, for a terminal too short for the table. */
function CompactCluster({ cluster }: { cluster: ClusterView }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{clusterTitle(cluster)}</Text>
      </Text>
      <Text>
        {cluster.nodes.map((n, i) => {
          const c = compactNodeCell(n);
          return (
            <Text key={n.name}>
              {i > 0 ? <Text color={theme.color('muted')}> · </Text> : null}
              <Text color={c.tone ? theme.color(c.tone) : undefined}>{c.text}</Text>
            </Text>
          );
        })}
      </Text>
      <Text wrap="truncate-end">
        {cluster.regions.map((r) => regionLine(r).replace(/^region /, '')).join('  |  ')}
      </Text>
    </Box>
  );
}

/**
 * Live cluster status, fed by the poller. `compact` (a short terminal while a run is on
 * screen) keeps it to three lines so the prompt above stays visible.
 */
export function StatusPane({ compact = false }: { compact?: boolean }) {
  const cluster = useUi((s) => s.cluster);
  const profile = useUi((s) => s.profileName);
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color('muted')} paddingX={1}>
      {cluster?.dr && compact ? (
        <CompactTwoRegions cluster={cluster} dr={cluster.dr} />
      ) : cluster?.dr ? (
        <TwoRegionTable cluster={cluster} dr={cluster.dr} />
      ) : cluster && compact ? (
        <CompactCluster cluster={cluster} />
      ) : cluster ? (
        <ClusterTable cluster={cluster} />
      ) : (
        <Text color={theme.color('muted')}>
          {profile
            ? `profile ${profile}: no cluster status yet`
            : 'no cluster profile — run `vault-runbook sandbox up`'}
        </Text>
      )}
    </Box>
  );
}
