import { Box, Text, useStdout } from 'ink';
import { useTheme, useUi } from '../context.js';
import { StatusPane } from '../status/StatusPane.js';
import { CurrentStep } from './CurrentStep.js';
import { ResultBanner } from './ResultBanner.js';
import { StepList } from './StepList.js';

const NO_LINES: readonly never[] = [];

/** Room for the list and the output when the terminal's height is known (not in tests). */
function budget(rows: number | undefined): { steps: number; lines: number } {
  if (!rows) return { steps: Number.POSITIVE_INFINITY, lines: 15 };
  return { steps: Math.max(4, rows - 26), lines: Math.min(15, Math.max(3, rows - 28)) };
}

export function RunScreen() {
  const theme = useTheme();
  const run = useUi((s) => s.run);
  const prompt = useUi((s) => s.prompt);
  const { stdout } = useStdout();
  if (!run) return <Text color={theme.color('muted')}>no run</Text>;
  const focusId = prompt?.stepId ?? run.currentStepId;
  const step = run.steps.find((s) => s.id === focusId);
  const room = budget(stdout.rows);
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
      <CurrentStep
        step={step}
        output={(focusId && run.output[focusId]) || NO_LINES}
        prompt={prompt}
        maxLines={room.lines}
      />
      <ResultBanner run={run} />
      <StatusPane />
    </Box>
  );
}
