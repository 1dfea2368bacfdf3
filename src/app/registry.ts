import { builtinRegistry } from '../engine/actions/builtin.js';
import type { ActionRegistry } from '../engine/actions/registry.js';

// No runbook parsing here (that is parse-runbook.ts): `lint` loads the registry, and the `yaml`
// parser that places problems only when a document has some.

export function registry(): ActionRegistry {
  return builtinRegistry();
}

/** Ids of the actions that ask a person (the TUI marks their steps). */
export function humanActionIds(reg: ActionRegistry = registry()): ReadonlySet<string> {
  return new Set(
    reg
      .list()
      .filter((a) => a.human)
      .map((a) => a.id),
  );
}
