import { Box, Text, useStdout } from 'ink';
import { useTheme, useUi } from '../context.js';
import { StatusPane } from '../status/StatusPane.js';
import { CurrentStep, type EarlierOutput } from './CurrentStep.js';
import type { RunView } from '../store.js';
import { ResultBanner } from './ResultBanner.js';
import { StepList } from './StepList.js';

const NO_LINES: readonly never[] = [];

/**
 * Room for the list and the output when the terminal's height is known (not in tests). A
 * finished run needs no prompt or live output, so its list (a dry run's plan) gets the room.
 */
function budget(
  rows: number | undefined,
  run: RunView,
  paneExtra = 0,
): { steps: number; lines: number } {
  if (!rows) return { steps: Number.POSITIVE_INFINITY, lines: 15 };
  if (run.result)
    return { steps: Math.max(4, Math.floor((rows - 14) / (run.dryRun ? 2 : 1))), lines: 5 };
  // A short terminal (80×24): the step list shrinks to the steps around the current one and
  // the output keeps what the person is asked about.
  if (rows < SHORT) return { steps: 3, lines: Math.max(3, rows - 20) };
  return {
    steps: Math.max(4, rows - 26 - paneExtra),
    lines: Math.min(15, Math.max(3, rows - 28 - paneExtra)),
  };
}

/** Below this many rows the status pane is three lines instead of a table. */
const SHORT = 40;

/**
 * A question usually refers to what the step before it printed ("does this look right?"), so
 * a step without output of its own shows the latest lines of the nearest earlier step.
 */
function earlierOutput(run: RunView, focusId: string | undefined): EarlierOutput | undefined {
  const at = run.steps.findIndex((s) => s.id === focusId);
  for (let i = at - 1; i >= 0; i--) {
    const step = run.steps[i];
    const lines = step && run.output[step.id];
    if (step && lines?.length) return { title: step.title, lines };
  }
  return undefined;
}

export function RunScreen() {
  const theme = useTheme();
  const run = useUi((s) => s.run);
  const prompt = useUi((s) => s.prompt);
  const { stdout } = useStdout();
  // A DR region adds its nodes, a heading and the DNS/replication lines to the status pane.
  const drRows = useUi((s) => (s.cluster?.dr ? s.cluster.dr.nodes.length + 2 : 0));
  if (!run) return <Text color={theme.color('muted')}>no run</Text>;
  const focusId = prompt?.stepId ?? run.currentStepId;
  const step = run.steps.find((s) => s.id === focusId);
  const room = budget(stdout.rows, run, drRows);
  const own = (focusId && run.output[focusId]) || NO_LINES;
  const earlier = own.length ? undefined : earlierOutput(run, focusId);
  return (
    <Box flexDirection="column">
      <Text bold>
        {run.title}
        <Text color={theme.color('muted')}>
          {' '}
          · run {run.runId}
          {run.dryRun ? ' · dry run' : ''}
        </Text>
      </Text>
      <StepList steps={run.steps} currentId={focusId} maxRows={room.steps} />
      {step || !run.result ? (
        <CurrentStep
          step={step}
          output={own}
          earlier={earlier}
          prompt={prompt}
          maxLines={room.lines}
        />
      ) : null}
      <ResultBanner run={run} />
      <StatusPane compact={!run.result && (stdout.rows || 100) < SHORT} />
    </Box>
  );
}
