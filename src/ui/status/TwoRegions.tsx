import { Box, Text, useStdout } from 'ink';
import { useTheme } from '../context.js';
import type { ClusterView, DrView, NodeView, RegionView } from '../store.js';
import {
  clusterTitle,
  columnWidths,
  compactNodeCell,
  dnsCell,
  NODE_HEADERS,
  nodeCells,
  regionHeading,
  regionTone,
  replicationCell,
  strayPrimaryCell,
  visibleColumns,
  type Cell,
} from './format.js';
import { Row } from './Row.js';

function Line({ cell }: { cell: Cell | undefined }) {
  const theme = useTheme();
  if (!cell) return null;
  return (
    <Text wrap="truncate-end" color={cell.tone ? theme.color(cell.tone) : undefined}>
      {cell.text}
    </Text>
  );
}

/** The lines every two-region view ends with: where DNS points, what DR lacks, a fence undone. */
function Links({ dr }: { dr: DrView }) {
  return (
    <>
      <Line cell={dnsCell(dr)} />
      <Line cell={replicationCell(dr)} />
      <Line cell={strayPrimaryCell(dr)} />
    </>
  );
}

function regionOf(cluster: ClusterView, name: string): RegionView {
  return cluster.regions.find((r) => r.name === name) ?? { name };
}

/**
 * Both regions of a profile with a DR region: the primary's nodes and the DR nodes, each under
 * its region's ASG and HA lock, in one set of columns so the two can be compared row by row.
 */
export function TwoRegionTable({ cluster, dr }: { cluster: ClusterView; dr: DrView }) {
  const theme = useTheme();
  const { stdout } = useStdout();
  const groups: { region: RegionView; nodes: readonly NodeView[] }[] = [
    { region: regionOf(cluster, 'primary'), nodes: cluster.nodes },
    { region: regionOf(cluster, 'dr'), nodes: dr.nodes },
  ];
  const all = groups.flatMap((g) => g.nodes.map(nodeCells));
  const allWidths = columnWidths(all, NODE_HEADERS);
  // The pane's border and padding take 4 columns.
  const keep = visibleColumns(allWidths, NODE_HEADERS, (stdout.columns || 80) - 4);
  const pick = <T,>(xs: readonly T[]): T[] => keep.map((i) => xs[i] as T);
  const widths = pick(allWidths);
  return (
    <Box flexDirection="column">
      <Text bold>{clusterTitle(cluster)}</Text>
      <Row cells={pick(NODE_HEADERS).map((text) => ({ text, tone: 'muted' }))} widths={widths} />
      {groups.map(({ region, nodes }) => {
        const tone = regionTone(region);
        return (
          <Box key={region.name} flexDirection="column">
            <Text bold color={tone ? theme.color(tone) : undefined}>
              {regionHeading(region)}
            </Text>
            {nodes.map((n) => (
              <Box key={n.name} flexDirection="column">
                <Row cells={pick(nodeCells(n))} widths={widths} />
                {n.error ? <Text color={theme.color('fail')}> {n.error}</Text> : null}
              </Box>
            ))}
          </Box>
        );
      })}
      <Links dr={dr} />
    </Box>
  );
}

/** The short-terminal form: one line per region's nodes, then DNS and replication. */
export function CompactTwoRegions({ cluster, dr }: { cluster: ClusterView; dr: DrView }) {
  const theme = useTheme();
  const nodesLine = (label: string, nodes: readonly NodeView[]) => (
    <Text wrap="truncate-end">
      <Text bold>{label} </Text>
      {nodes.map((n, i) => {
        const c = compactNodeCell(n);
        return (
          <Text key={n.name}>
            {i > 0 ? <Text color={theme.color('muted')}> · </Text> : null}
            <Text color={c.tone ? theme.color(c.tone) : undefined}>{c.text}</Text>
          </Text>
        );
      })}
    </Text>
  );
  return (
    <Box flexDirection="column">
      <Text bold>{clusterTitle(cluster)}</Text>
      {nodesLine('primary:', cluster.nodes)}
      {nodesLine('DR:', dr.nodes)}
      <Links dr={dr} />
    </Box>
  );
}
