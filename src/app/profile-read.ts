import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkProfile, needsLocating } from '../domain/check.js';
import { UsageError } from '../domain/errors.js';
import type { Profile } from '../domain/schema.js';
import { configDir } from '../adapters/paths.js';
import { readUserFile } from '../adapters/user-file.js';

// A profile read without the `yaml` parser (≈ 290 KB of JavaScript) when it has no problem: only
// a problem needs `yaml`, to be placed at its line (src/domain/load.ts). The TUI's status pane
// reads the profile this way, on its way to the first rows.

/** --profile, then $VAULT_RUNBOOK_PROFILE, then the profile `sandbox up` selected. */
export function profilePath(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (explicit) return resolve(explicit);
  if (env.VAULT_RUNBOOK_PROFILE) return resolve(env.VAULT_RUNBOOK_PROFILE);
  const pointer = join(configDir(env), 'current-profile');
  if (existsSync(pointer)) {
    const p = readFileSync(pointer, 'utf8').trim();
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

export function readProfileFile(path: string): string {
  if (!existsSync(path)) throw new UsageError(`no profile file ${path}`);
  return readUserFile(path, 'profile');
}

/** Paths in a profile are relative to the profile, wherever the tool is run from. */
export function withProfilePaths(p: Profile, path: string): Profile {
  // A keyholder's key file.
  const keyholders = p.keyholders?.map((k) =>
    k.pgp_key ? { ...k, pgp_key: resolve(dirname(path), k.pgp_key) } : k,
  );
  // The CA: a `run:` step with its own cwd hands it to the vault CLI as VAULT_CACERT.
  const tls = p.vault.tls;
  const vault = tls?.ca_cert
    ? { ...p.vault, tls: { ...tls, ca_cert: resolve(dirname(path), tls.ca_cert) } }
    : p.vault;
  return { ...p, vault, ...(keyholders ? { keyholders } : {}) };
}

/**
 * What `loadProfile` returns, and the same error for a profile with a problem (loadProfile, with
 * `yaml`, is then imported to say where).
 */
export async function loadProfileLazily(path: string | undefined): Promise<Profile | undefined> {
  if (!path) return undefined;
  const c = checkProfile(readProfileFile(path));
  if (!needsLocating(c) && c.value) return withProfilePaths(c.value, path);
  const { loadProfile } = await import('./profiles.js');
  return loadProfile(path);
}
