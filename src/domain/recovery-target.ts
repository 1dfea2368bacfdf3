/**
 * What a recovery node of an S3 quarantine may be started on, whoever starts it (the AWS
 * adapter, src/adapters/recovery-aws.ts, and the sandbox's local node, src/sandbox/recovery.ts):
 * a name that is safe as a tag, a directory and a group name, a bucket name S3 accepts, and
 * never the live data bucket or HA lock table — a recovery node on the live bucket would write
 * production's storage from a second, unsealed Vault.
 */
export interface RecoveryTarget {
  /** Unknown, not string: the sandbox takes it from a JSON control request. */
  readonly name: unknown;
  readonly bucket: unknown;
  readonly lockTable?: unknown;
}

/** The production stores of every region (an unset one is left out). */
export interface LiveStores {
  readonly buckets: readonly (string | undefined)[];
  readonly tables: readonly (string | undefined)[];
}

const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

/** A request's value in a message: a string as it is, anything else by its type. */
const shown = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : typeof v;

/** Why the target is refused (one line, for a usage error), or undefined. */
export function refuseRecoveryTarget(t: RecoveryTarget, live: LiveStores): string | undefined {
  if (typeof t.name !== 'string' || !NAME.test(t.name))
    return `recovery node name '${shown(t.name)}' must be lowercase letters, digits and dashes (≤ 31)`;
  if (typeof t.bucket !== 'string' || !BUCKET.test(t.bucket))
    return `'${shown(t.bucket)}' is not an S3 bucket name`;
  if (live.buckets.includes(t.bucket))
    return `${t.bucket} is a live data bucket: a recovery node runs only on a quarantine copy`;
  if (t.lockTable === undefined) return undefined;
  if (typeof t.lockTable !== 'string' || !TABLE.test(t.lockTable))
    return `'${shown(t.lockTable)}' is not a DynamoDB table name`;
  if (live.tables.includes(t.lockTable))
    return `${t.lockTable} is a live HA lock table: a recovery node needs its own or none`;
  return undefined;
}
