import { UsageError } from '../domain/errors.js';
import { renderDeep } from '../domain/expr.js';
import type { Profile, Runbook } from '../domain/schema.js';
import type { ActionRegistry } from '../engine/actions/registry.js';
import type { PreparedRun } from './prepare.js';
import { registry } from './registry.js';

/**
 * Steps that can never finish headless with this profile (an unseal share that would have to
 * be shown on screen), found before the run starts: a headless ceremony must not initialize
 * Vault and then stop with the shares in a process that is about to exit.
 */
export function headlessProblems(
  runbook: Runbook,
  profile: Profile | undefined,
  inputs: Record<string, unknown>,
  reg: ActionRegistry,
): string[] {
  const ctx = { inputs, profile: profile ?? {}, cluster: {}, steps: {}, run: {} };
  const out: string[] = [];
  for (const step of runbook.steps) {
    const check = step.uses ? reg.get(step.uses)?.headless : undefined;
    if (!check) continue;
    // What depends on earlier steps is unknown yet: the check sees only what resolves now.
    const known: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(step.with ?? {})) {
      try {
        known[k] = renderDeep(v, ctx);
      } catch {
        // left out
      }
    }
    const why = check(known, profile);
    if (why) out.push(`step '${step.id}': ${why}`);
  }
  return out;
}

export function assertHeadlessPossible(
  runbook: Runbook,
  profile: Profile | undefined,
  inputs: Record<string, unknown>,
  reg: ActionRegistry = registry(),
): void {
  const problems = headlessProblems(runbook, profile, inputs, reg);
  if (problems.length === 0) return;
  throw new UsageError(`'${runbook.id}' cannot run headless:\n  ${problems.join('\n  ')}`, [
    'run it in a terminal (vault-runbook run … without --headless, not in CI)',
    'or give every keyholder a PGP public key in the profile (keyholders[].pgp_key), so shares and tokens are written encrypted to files',
  ]);
}

/** The same check for a prepared new run, before any journal is created. */
export function preflightHeadless(p: PreparedRun): void {
  if (p.request.dryRun) return;
  assertHeadlessPossible(p.runbook, p.profile, p.inputs, p.registry);
}
