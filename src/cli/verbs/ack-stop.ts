import type { Command } from 'commander';
import type { VerbContext } from './context.js';

export function registerAckStop(program: Command, { io }: VerbContext): void {
  program
    .command('ack-stop')
    .description(
      'say (journaled) that the cluster a run stopped and did not start is back; its warning clears',
    )
    .argument('<run-id>')
    .option('--note <text>', 'what you did, for the journal (e.g. "ASG back to 3, unsealed")')
    .action(async (runId: string, flags: { note?: string }) => {
      const { ackStop } = await import('../../app/ack-stop.js');
      const { ackRunId, pending } = ackStop(runId, flags.note, io.env);
      io.stdout.write(
        `acknowledged: the cluster stopped by ${runId} at ${pending.stop.at} is back (journaled as ${ackRunId})\n`,
      );
    });
}
