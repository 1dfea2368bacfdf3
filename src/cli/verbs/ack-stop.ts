import type { Command } from 'commander';
import type { VerbContext } from './context.js';

export function registerAckStop(program: Command, { io }: VerbContext): void {
  program
    .command('ack-stop')
    .description(
      'say (journaled) that the cluster a run stopped and did not start is back, or that the S3 quarantine it left is removed; its warning clears',
    )
    .argument('<run-id>')
    .option('--note <text>', 'what you did, for the journal (e.g. "ASG back to 3, unsealed")')
    .action(async (runId: string, flags: { note?: string }) => {
      const { ackStop } = await import('../../app/ack-stop.js');
      const { ackRunId, said } = ackStop(runId, flags.note, io.env);
      io.stdout.write(`acknowledged: ${said} (journaled as ${ackRunId})\n`);
    });
}
