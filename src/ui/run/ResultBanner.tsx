import { Box, Text } from 'ink';
import { useTheme } from '../context.js';
import type { RunView } from '../store.js';
import { resultBanner } from './glyphs.js';

/** How the run ended, and where its journal is. */
export function ResultBanner({ run }: { run: RunView }) {
  const theme = useTheme();
  if (!run.result) {
    return run.status === 'aborting' ? (
      <Text color={theme.color('warn')}>Aborting: stopping the running step…</Text>
    ) : null;
  }
  const b = resultBanner(run.result);
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.color(b.tone)} paddingX={1}>
      <Text bold color={theme.color(b.tone)}>
        {b.glyph} {b.text}
      </Text>
      <Text>
        run id {run.runId} · exit code {run.result.exitCode}
      </Text>
      {run.journalPath ? <Text>journal {run.journalPath}</Text> : <Text>no journal (dry run)</Text>}
      {run.journalHash ? (
        <Text>
          journal {run.result.kind === 'suspended' ? 'hash so far' : 'final hash'} {run.journalHash}
        </Text>
      ) : null}
      {run.auditSeal ? <Text>{run.auditSeal}</Text> : null}
      {run.result.kind === 'suspended' ? (
        <Text>resume with: vault-runbook resume {run.runId}</Text>
      ) : null}
    </Box>
  );
}
