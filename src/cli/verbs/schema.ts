import type { Command } from 'commander';
import { UsageError } from '../../domain/errors.js';
import type { VerbContext } from './context.js';

export function registerSchema(program: Command, { io }: VerbContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of runbooks or profiles (for editor completion)')
    .argument('[which]', 'runbook | profile', 'runbook')
    .action(async (which: string) => {
      if (which !== 'runbook' && which !== 'profile')
        throw new UsageError(`schema: expected runbook or profile, not '${which}'`);
      const { jsonSchema } = await import('../../domain/schema.js');
      io.stdout.write(`${JSON.stringify(jsonSchema(which), null, 2)}\n`);
    });
}
