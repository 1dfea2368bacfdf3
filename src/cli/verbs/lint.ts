import type { Command } from 'commander';
import { ExitCode, formatDiagnostic } from '../../domain/errors.js';
import { FileTooLarge, MAX_USER_FILE_BYTES, readCapped } from '../../adapters/user-file.js';
import type { Io } from '../../app/io.js';
import type { VerbContext } from './context.js';

/** `lint [files...]`; exported for the entry point's path that needs no command-line parser. */
export async function lint(files: string[], io: Io): Promise<number> {
  const [{ checkYaml, needsLocating }, { listRunbooks }, { registry }] = await Promise.all([
    import('../../domain/check.js'),
    import('../../app/runbooks.js'),
    import('../../app/registry.js'),
  ]);
  const reg = registry();
  const targets = files.length ? files : listRunbooks(io.env).map((r) => r.file);
  let problems = 0;
  for (const file of targets) {
    let text: string;
    try {
      // Capped: a path such as /dev/zero (or a link to it) would be read until memory ran out.
      text = readCapped(file);
    } catch (err) {
      const why =
        err instanceof FileTooLarge
          ? `is larger than ${MAX_USER_FILE_BYTES / 1024 / 1024} MiB: not a runbook or profile`
          : (err as NodeJS.ErrnoException).code === 'EISDIR'
            ? 'is a directory'
            : 'cannot read file';
      io.stdout.write(`${file}:1:1 ${why}\n`);
      problems++;
      continue;
    }
    const checked = checkYaml(text, {
      knownActions: reg.ids(),
      checkWith: (u, w) => reg.checkWith(u, w),
    });
    // The `yaml` parser places problems at their line and column: loaded only when there are any.
    const r = needsLocating(checked)
      ? (await import('../../domain/load.js')).locate(text, file, checked)
      : { diagnostics: [] };
    for (const d of r.diagnostics) io.stdout.write(`${formatDiagnostic(d)}\n`);
    problems += r.diagnostics.filter((d) => d.severity !== 'warning').length;
  }
  io.stderr.write(`${targets.length} file(s), ${problems} problem(s)\n`);
  return problems ? ExitCode.usage : ExitCode.ok;
}

export function registerLint(program: Command, { io, setExit }: VerbContext): void {
  program
    .command('lint')
    .description(
      'validate runbooks and profiles; problems as file:line:col message (exit 2 if any)',
    )
    .argument('[files...]', 'YAML files (default: every known runbook)')
    .action(async (files: string[]) => setExit(await lint(files, io)));
}
