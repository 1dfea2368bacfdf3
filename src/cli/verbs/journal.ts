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
    .description('check the SHA-256 hash chain; exit 1 naming each record that was changed')
    .argument('<run-id>')
    .action(async (runId: string) => {
      const { journalPath, readJournalLines, verifyRecords } =
        await import('../../adapters/journal.js');
      const v = verifyRecords(readJournalLines(journalPath(runId, io.env)));
      if (v.ok) io.stdout.write(`ok: ${v.count} records, hash chain intact\n`);
      else {
        for (const p of v.problems) io.stderr.write(`${p.message}\n`);
        setExit(ExitCode.stepFailed);
      }
    });
}
