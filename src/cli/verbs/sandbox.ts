import type { Command } from 'commander';
import type { VerbContext } from './context.js';

const DESCRIPTION =
  'local training/test cluster: real Vault nodes on loopback, AWS APIs in moto, S3 in MinIO';

/** Whether this command line reaches the sandbox's own commands (or their help). */
export function wantsSandbox(argv: readonly string[]): boolean {
  const verb = argv.find((a) => !a.startsWith('-'));
  return verb === 'sandbox' || (verb === 'help' && argv.includes('sandbox'));
}

/**
 * `sandbox …` with its subcommands when the command line asks for them; otherwise only its
 * name and description, for the help: the sandbox's modules (and the six AWS SDK clients they
 * hold) load only for the sandbox.
 */
export async function registerSandbox(
  program: Command,
  ctx: VerbContext,
  argv: readonly string[],
): Promise<void> {
  if (!wantsSandbox(argv)) {
    program.command('sandbox').description(DESCRIPTION);
    return;
  }
  const { registerSandboxCommands } = await import('../../sandbox/cli.js');
  registerSandboxCommands(program, ctx.io, ctx.setExit);
}
