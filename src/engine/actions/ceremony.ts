import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import { errorMessage } from '../../domain/errors.js';
import { parsePublicKey, type PgpPublicKey } from '../../domain/pgp.js';
import type { Profile } from '../../domain/schema.js';
import { isSecret, type Secret } from '../../domain/secret.js';
import type { FilesPort } from '../ports.js';
import type { VaultNode, VaultPort } from '../vault.js';
import type { ActionContext } from './types.js';

/**
 * What the bootstrap-ceremony actions share: secrets that live only in the run's memory, the
 * keyholders of the profile with their PGP keys, and the node to talk to.
 */

/**
 * A Secret passed whole from an earlier step's outputs. After a resume the journal only has
 * ‹redacted› there: say where the value went rather than "expected object".
 */
export function secretIn(what: string, recovery: string) {
  return z.custom<Secret>(
    isSecret,
    `${what} existed only in the memory of the run that created it, and that process is gone: ${recovery}`,
  );
}

export const ROOT_TOKEN_LOST =
  'in the bootstrap ceremony the keyholders make a new one on resume (step recover-root); anywhere else, run the generate-root runbook with the unseal keyholders';

/** Count inputs arrive as numbers from YAML and as text from --var. */
export const Count = z.union([z.number(), z.string()]).optional();

export function count(v: number | string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 255)
    throw new Error(`${name} must be a whole number from 1 to 255, not '${String(v)}'`);
  return n;
}

export function clearAfterMs(v: string | number | undefined): number {
  return v === undefined ? 30_000 : parseDuration(v);
}

export function requireFiles(ctx: ActionContext<unknown>): FilesPort {
  const f = ctx.ports.files;
  if (!f) throw new Error('this step reads or writes files, and this run has no file access');
  return f;
}

/** A keyholder's name as a file name: letters, digits, dot, dash and underscore. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export interface Holder {
  readonly index: number;
  readonly name: string;
  readonly fingerprint?: string;
}

export interface SharePlan {
  readonly shares: number;
  readonly threshold: number;
  readonly pgp: boolean;
  readonly holders: readonly Holder[];
  readonly keys: readonly PgpPublicKey[];
}

/** Why a profile's keyholders cannot take part in a ceremony with `shares` shares, if they cannot. */
export function keyholderProblem(
  profile: Profile | undefined,
  shares?: number,
): string | undefined {
  const k = profile?.keyholders ?? [];
  const withKey = k.filter((h) => h.pgp_key);
  if (withKey.length > 0 && withKey.length < k.length)
    return `only some keyholders have a PGP key (missing: ${k
      .filter((h) => !h.pgp_key)
      .map((h) => h.name)
      .join(
        ', ',
      )}): Vault encrypts either every share or none, so give every keyholder a key or none`;
  if (k.length > 0 && shares !== undefined && shares !== k.length)
    return `the profile names ${k.length} keyholders but shares is ${shares}: each keyholder holds exactly one share`;
  return undefined;
}

/** Shares, threshold and who holds which share index; PGP keys read and fingerprinted. */
export async function planShares(
  ctx: ActionContext<unknown>,
  sharesIn: number | undefined,
  thresholdIn: number | undefined,
): Promise<SharePlan> {
  const problem = keyholderProblem(ctx.profile, sharesIn);
  if (problem) throw new Error(problem);
  const k = ctx.profile?.keyholders ?? [];
  const shares = sharesIn ?? (k.length || 5);
  const threshold = thresholdIn ?? Math.min(3, shares);
  if (threshold > shares)
    throw new Error(
      `threshold ${threshold} is more than the ${shares} shares: nobody could unseal`,
    );
  if (shares > 1 && threshold < 2)
    throw new Error('a threshold of 1 with several shares lets any one keyholder unseal alone');
  const pgp = k.length > 0 && k.every((h) => h.pgp_key);
  const keys: PgpPublicKey[] = [];
  if (pgp) {
    const files = requireFiles(ctx);
    for (const h of k) {
      const path = h.pgp_key ?? '';
      let key: PgpPublicKey;
      try {
        key = parsePublicKey(await files.read(path, ctx.signal));
      } catch (err) {
        throw new Error(`${h.name}'s PGP key ${path}: ${errorMessage(err)}`);
      }
      if (!key.canEncrypt)
        throw new Error(
          `${h.name}'s PGP key ${key.fingerprint} cannot encrypt (no encryption subkey): add one (gpg --quick-add-key ${key.fingerprint} rsa4096 encr) and export it again`,
        );
      keys.push(key);
    }
  }
  const holders: Holder[] = Array.from({ length: shares }, (_, i) => ({
    index: i + 1,
    name: k[i]?.name ?? `keyholder ${i + 1}`,
    ...(keys[i] ? { fingerprint: keys[i].fingerprint } : {}),
  }));
  return { shares, threshold, pgp, holders, keys };
}

/** The active node when one is elected (standbys forward anyway), else the first reachable. */
export async function pickNode(
  vault: VaultPort,
  name: string | undefined,
  signal: AbortSignal,
): Promise<VaultNode> {
  const all = vault.nodes();
  if (name) {
    const n = all.find((x) => x.name === name || x.address === name);
    if (!n) throw new Error(`unknown node '${name}' (known: ${all.map((x) => x.name).join(', ')})`);
    return n;
  }
  const health = await Promise.all(all.map(async (n) => ({ n, h: await vault.health(n, signal) })));
  const active = health.find((x) => x.h.reachable && x.h.code === 200);
  const first = active ?? health.find((x) => x.h.reachable);
  if (!first) throw new Error('no Vault node answers');
  return first.n;
}

/** Files a step will write, checked before anything irreversible: they are never overwritten. */
export async function requireAbsent(
  ctx: ActionContext<unknown>,
  paths: readonly string[],
): Promise<void> {
  const files = requireFiles(ctx);
  const there: string[] = [];
  for (const p of paths) if (await files.exists(p)) there.push(p);
  if (there.length)
    throw new Error(
      `${there.join(', ')} already exist${there.length === 1 ? 's' : ''}: move ${there.length === 1 ? 'it' : 'them'} away first (a ceremony never overwrites a share or a token)`,
    );
}

export function shareFile(dir: string, name: string): string {
  return `${dir}/${fileSafe(name)}.share.asc`;
}
