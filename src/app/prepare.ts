import { createHash } from 'node:crypto';
import type { Profile, Runbook } from '../domain/schema.js';
import type { ActionRegistry } from '../engine/actions/registry.js';
import { readUserFile } from '../adapters/user-file.js';
import { parseVars, resolveInputs } from './inputs.js';
import { loadProfile, profilePath } from './profiles.js';
import { parseRunbookText, registry } from './registry.js';
import { resolveRunbook } from './runbooks.js';

export interface NewRunRequest {
  readonly runbookRef: string;
  readonly profile?: string;
  readonly vars?: readonly string[];
  readonly dryRun?: boolean;
}

/**
 * Everything a new run is made of, read once: the runbook's text is read a single time, and
 * the hash in the journal is of exactly the text that was parsed (reading the file twice
 * would let an edit in between slip past `resume`'s change check).
 */
export interface PreparedRun {
  readonly request: NewRunRequest;
  readonly runbookFile: string;
  readonly runbookSha256: string;
  readonly runbook: Runbook;
  readonly profile: Profile | undefined;
  readonly profileFile: string | undefined;
  readonly inputs: Record<string, unknown>;
  readonly registry: ActionRegistry;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The runbook file's text and hash, read once. */
export function readRunbook(
  file: string,
  reg: ActionRegistry,
): { runbook: Runbook; sha256: string } {
  const text = readUserFile(file, 'runbook');
  return { runbook: parseRunbookText(text, file, reg), sha256: sha256(text) };
}

export function prepareRun(
  req: NewRunRequest,
  env: NodeJS.ProcessEnv = process.env,
  reg: ActionRegistry = registry(),
): PreparedRun {
  const runbookFile = resolveRunbook(req.runbookRef, env);
  const { runbook, sha256: runbookSha256 } = readRunbook(runbookFile, reg);
  const profileFile = profilePath(req.profile, env);
  const profile = loadProfile(profileFile);
  const inputs = resolveInputs(runbook, parseVars(req.vars ?? []), profile);
  return {
    request: req,
    runbookFile,
    runbookSha256,
    runbook,
    profile,
    profileFile,
    inputs,
    registry: reg,
  };
}
