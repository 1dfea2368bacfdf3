import type { Command } from 'commander';
import { warnPendingStops } from '../pending-stops.js';
import type { VerbContext } from './context.js';

export function registerList(program: Command, { io }: VerbContext): void {
  program
    .command('list')
    .description('runbooks with one-line descriptions')
    .action(async () => {
      await warnPendingStops(io);
      const { listRunbooks } = await import('../../app/runbooks.js');
      const rbs = listRunbooks(io.env);
      const w = Math.max(...rbs.map((r) => r.id.length), 4);
      for (const r of rbs) io.stdout.write(`${r.id.padEnd(w)}  ${r.title}\n`);
    });
}
