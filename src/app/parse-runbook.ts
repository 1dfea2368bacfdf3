import { ValidationError } from '../domain/errors.js';
import { parseRunbook } from '../domain/load.js';
import type { Runbook } from '../domain/schema.js';
import type { ActionRegistry } from '../engine/actions/registry.js';
import { registry } from './registry.js';

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
