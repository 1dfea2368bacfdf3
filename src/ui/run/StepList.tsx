import { Box, Text } from 'ink';
import { useTheme } from '../context.js';
import type { StepView } from '../store.js';
import { formatDuration, stepGlyph } from './glyphs.js';
import { stepWindow } from './step-window.js';

/** A multi-line command or error would break the list's one-row-per-line layout. */
function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ⏎ ');
}

function StepRow({ step, current }: { step: StepView; current: boolean }) {
  const theme = useTheme();
  const g = stepGlyph(step.status);
  const showDetail =
    step.detail !== '' &&
    (step.status === 'failed' ||
      step.status === 'retry-wait' ||
      step.status === 'skipped' ||
      step.status === 'planned');
  return (
    <Box flexDirection="column">
      <Text bold={current} wrap="truncate-end">
        <Text color={g.tone ? theme.color(g.tone) : undefined}>{g.glyph}</Text> {step.title}
        {step.destructive ? <Text color={theme.color('fail')}> [destructive]</Text> : null}
        {step.attempt > 1 ? (
          <Text color={theme.color('muted')}> (attempt {step.attempt})</Text>
        ) : null}
        {step.status === 'succeeded' && step.durationMs > 0 ? (
          <Text color={theme.color('muted')}> {formatDuration(step.durationMs)}</Text>
        ) : null}
      </Text>
      {showDetail ? (
        <Text color={theme.color(step.status === 'failed' ? 'fail' : 'muted')} wrap="truncate-end">
          {'  └ '}
          {oneLine(step.detail)}
        </Text>
      ) : null}
    </Box>
  );
}

/**
 * A compact list rather than Ink's <Static>: static lines cannot be taken back, and this
 * screen is left for home, cleared between keyholders and jumps back to rescue steps.
 */
export function StepList(props: {
  steps: readonly StepView[];
  currentId: string | undefined;
  maxRows: number;
}) {
  const theme = useTheme();
  const w = stepWindow(props.steps, props.currentId, props.maxRows);
  return (
    <Box flexDirection="column">
      {w.foldedDone > 0 ? (
        <Text color={theme.color('muted')}>
          {' '}
          … {w.foldedDone} earlier {w.foldedDone === 1 ? 'step' : 'steps'}
        </Text>
      ) : null}
      {w.rows.map((s) => (
        <StepRow key={s.id} step={s} current={s.id === props.currentId} />
      ))}
      {w.hiddenAfter > 0 ? (
        <Text color={theme.color('muted')}>
          {' '}
          … {w.hiddenAfter} more {w.hiddenAfter === 1 ? 'step' : 'steps'}
        </Text>
      ) : null}
    </Box>
  );
}
