import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError, ValidationError } from '../domain/errors.js';
import { parseProfile } from '../domain/load.js';
import type { Profile } from '../domain/schema.js';
import { configDir } from '../adapters/paths.js';
import { readUserFile } from '../adapters/user-file.js';

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

export function loadProfile(path: string | undefined): Profile | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) throw new UsageError(`no profile file ${path}`);
  const r = parseProfile(readUserFile(path, 'profile'), path);
  if (!r.value) throw new ValidationError(r.diagnostics);
  // A keyholder's key file is named relative to the profile, wherever the tool is run from.
  const keyholders = r.value.keyholders?.map((k) =>
    k.pgp_key ? { ...k, pgp_key: resolve(dirname(path), k.pgp_key) } : k,
  );
  // So is the CA: a `run:` step with its own cwd hands it to the vault CLI as VAULT_CACERT.
  const tls = r.value.vault.tls;
  const vault = tls?.ca_cert
    ? { ...r.value.vault, tls: { ...tls, ca_cert: resolve(dirname(path), tls.ca_cert) } }
    : r.value.vault;
  return { ...r.value, vault, ...(keyholders ? { keyholders } : {}) };
}
