import type { Command } from 'commander';
import { ExitCode } from '../../domain/errors.js';
import type { VerbContext } from './context.js';

export function registerJournal(program: Command, { io, setExit }: VerbContext): void {
  const journal = program.command('journal').description('audit transcripts of runs');
  journal
    .command('list')
    .description('every run in the state directory')
    .action(async () => {
      const { listRuns } = await import('../../adapters/journal.js');
      const runs = listRuns(io.env);
      if (!runs.length) io.stdout.write('no runs yet\n');
      for (const r of runs)
        io.stdout.write(`${r.runId}  ${r.started}  ${r.operator}  ${r.status}  ${r.runbook}\n`);
    });
  journal
    .command('show')
    .description('the transcript of one run (who did what, when; no secrets)')
    .argument('<run-id>')
    .option('--json', 'the raw records')
    .action(async (runId: string, flags: { json?: boolean }) => {
      const [{ journalPath, readJournalLines }, { renderTranscript }] = await Promise.all([
        import('../../adapters/journal.js'),
        import('../transcript.js'),
      ]);
      const lines = readJournalLines(journalPath(runId, io.env));
      if (flags.json)
        for (const l of lines)
          io.stdout.write(`${JSON.stringify(l.record ?? { line: l.line, error: l.error })}\n`);
      else io.stdout.write(renderTranscript(lines));
    });
  journal
    .command('verify')
    .description(
      'check the SHA-256 hash chain, the HMACs and the final record; exit 1 naming each problem',
    )
    .argument('<run-id>')
    .action(async (runId: string) => {
      const { verifyJournal } = await import('../journal-verify.js');
      const v = verifyJournal(runId, io.env);
      for (const l of v.stdout) io.stdout.write(`${l}\n`);
      for (const l of v.stderr) io.stderr.write(`${l}\n`);
      if (!v.ok) setExit(ExitCode.stepFailed);
    });
}
