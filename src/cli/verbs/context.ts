import type { Io } from '../../app/io.js';

/** What every verb module gets: the process's streams and a way to set the exit code. */
export interface VerbContext {
  readonly io: Io;
  readonly setExit: (code: number) => void;
}

export const PROFILE_HELP =
  'cluster profile (default: $VAULT_RUNBOOK_PROFILE, then the one `sandbox up` selected)';
