import { ValidationError } from '../domain/errors.js';
import { parseProfile } from '../domain/load.js';
import type { Profile } from '../domain/schema.js';
import { readProfileFile, withProfilePaths } from './profile-read.js';

export { profilePath } from './profile-read.js';

/** The profile at `path`; a problem in it is a ValidationError placing each at its line. */
export function loadProfile(path: string | undefined): Profile | undefined {
  if (!path) return undefined;
  const r = parseProfile(readProfileFile(path), path);
  if (!r.value) throw new ValidationError(r.diagnostics);
  return withProfilePaths(r.value, path);
}
