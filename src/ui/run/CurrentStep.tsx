import { Box, Text } from 'ink';
import { useTheme } from '../context.js';
import { Prompt } from '../prompts/Prompt.js';
import type { OutputLine, PromptView, StepView } from '../store.js';
import { stepGlyph } from './glyphs.js';
import { reflow } from '../common/reflow.js';

function Line({ line }: { line: OutputLine }) {
  const theme = useTheme();
  switch (line.stream) {
    case 'stdout':
      return <Text wrap="truncate-end">{`  ${line.text}`}</Text>;
    case 'stderr':
      return (
        <Text color={theme.color('fail')} wrap="truncate-end">
          {`! ${line.text}`}
        </Text>
      );
    case 'info':
      return (
        <Text color={theme.color('muted')} wrap="truncate-end">
          {`· ${line.text}`}
        </Text>
      );
  }
}

export interface EarlierOutput {
  readonly title: string;
  readonly lines: readonly OutputLine[];
}

const EARLIER_LINES = 8;

/** The step in focus: what it is, its latest output, and the question it asks, if any. */
export function CurrentStep(props: {
  step: StepView | undefined;
  output: readonly OutputLine[];
  earlier?: EarlierOutput | undefined;
  prompt: PromptView | undefined;
  maxLines: number;
}) {
  const theme = useTheme();
  const { step, output, prompt } = props;
  if (!step) return <Text color={theme.color('muted')}>starting…</Text>;
  const g = stepGlyph(step.status);
  const shown = output.slice(-props.maxLines);
  return (
    <Box
      flexDirection="column"
      borderStyle="single"
      borderColor={theme.color('muted')}
      paddingX={1}
    >
      <Text bold>
        <Text color={g.tone ? theme.color(g.tone) : undefined}>{g.glyph}</Text> {step.title}
        <Text color={theme.color('muted')}> · {g.word}</Text>
      </Text>
      {step.description ? (
        <Text color={theme.color('muted')}>{reflow(step.description)}</Text>
      ) : null}
      {output.length > shown.length ? (
        <Text color={theme.color('muted')}> … {output.length - shown.length} earlier lines</Text>
      ) : null}
      {shown.map((l, i) => (
        <Line key={i} line={l} />
      ))}
      {props.earlier ? (
        <Box flexDirection="column">
          <Text color={theme.color('muted')}>output of {props.earlier.title}:</Text>
          {props.earlier.lines.slice(-Math.min(EARLIER_LINES, props.maxLines)).map((l, i) => (
            <Line key={i} line={l} />
          ))}
        </Box>
      ) : null}
      {prompt ? <Prompt view={prompt} /> : null}
    </Box>
  );
}
