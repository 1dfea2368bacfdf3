import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, UsageError, ValidationError } from '../domain/errors.js';
import { parseRunbook } from '../domain/load.js';
import type { Runbook } from '../domain/schema.js';
import { builtinRegistry } from '../engine/actions/builtin.js';
import type { ActionRegistry } from '../engine/actions/registry.js';
import { configDir } from '../adapters/paths.js';

/** The package's own folder (runbooks/, package.json), from dist/app or src/app alike. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function runbookDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [join(configDir(env), 'runbooks'), join(packageRoot(), 'runbooks')];
  if (env.VAULT_RUNBOOK_PATH) dirs.unshift(...env.VAULT_RUNBOOK_PATH.split(':').filter(Boolean));
  return dirs;
}

export interface RunbookEntry {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly file: string;
}

export function registry(): ActionRegistry {
  return builtinRegistry();
}

/** Parses runbook text that was already read (and hashed): what runs is what was hashed. */
export function parseRunbookText(
  text: string,
  file: string,
  reg: ActionRegistry = registry(),
): Runbook {
  const r = parseRunbook(text, file, {
    knownActions: reg.ids(),
    checkWith: (u, w) => reg.checkWith(u, w),
  });
  if (!r.value) throw new ValidationError(r.diagnostics);
  return r.value;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A runbook id from the runbook folders, or a path to a YAML file. */
export function resolveRunbook(ref: string, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.includes('/') || ref.endsWith('.yaml') || ref.endsWith('.yml')) {
    if (!existsSync(ref)) throw new UsageError(`no runbook file ${ref}`);
    // Read errors (a directory, no permission) are reported by readUserFile as usage errors.
    return resolve(ref);
  }
  for (const dir of runbookDirs(env)) {
    for (const ext of ['.yaml', '.yml']) {
      const f = join(dir, `${ref}${ext}`);
      if (isFile(f)) return f;
    }
  }
  const known = listRunbooks(env).map((r) => r.id);
  throw new UsageError(`no runbook '${ref}'`, [
    `known runbooks: ${known.join(', ') || '(none)'}`,
    'or give a path to a YAML file',
  ]);
}

export function listRunbooks(env: NodeJS.ProcessEnv = process.env): RunbookEntry[] {
  const seen = new Map<string, RunbookEntry>();
  for (const dir of runbookDirs(env)) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const file = join(dir, f);
      if (!isFile(file)) continue;
      const r = parseRunbook(readFileSync(file, 'utf8'), file);
      const id = r.value?.id ?? f.replace(/\.ya?ml$/, '');
      if (seen.has(id)) continue;
      seen.set(id, {
        id,
        title:
          r.value?.title ??
          `(invalid: ${r.diagnostics[0] ? formatDiagnostic(r.diagnostics[0]) : 'unreadable'})`,
        description: r.value?.description?.trim() ?? '',
        file,
      });
    }
  }
  return [...seen.values()];
}
