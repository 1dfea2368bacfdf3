import { Text } from 'ink';
import { useTheme } from '../context.js';
import type { Cell } from './format.js';

/** One table row: each cell padded to its column, the last one as long as it is. */
export function Row({ cells, widths }: { cells: readonly Cell[]; widths: readonly number[] }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      {cells.map((c, i) => (
        <Text key={i} color={c.tone ? theme.color(c.tone) : undefined}>
          {i === cells.length - 1 ? c.text : c.text.padEnd((widths[i] ?? 0) + 2)}
        </Text>
      ))}
    </Text>
  );
}
