import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseProfile } from '../../src/domain/load.js';
import type { Profile } from '../../src/domain/schema.js';
import { compareVersions } from '../../src/domain/upgrade.js';
import { makeGpgKeys, type GpgHome } from '../support/pgp.js';
import { ensureTools } from '../support/tools.js';
import { health, profileFile, sandbox, until, vaultPut } from './helpers.js';

/**
 * The beforeAll steps the sandbox test files share: the Vault versions built in the tools
 * cache, `sandbox up` and the profile it writes, a raw init and unseal for tests that do not
 * test the ceremony, and a sandbox profile with PGP keyholders for those that run it.
 */

/** The oldest and newest Vault built in the tools cache (an upgrade goes from one to the other). */
export async function builtVersions(): Promise<{ older: string; newer: string }> {
  const tools = await ensureTools();
  const vs = (tools.VAULT_VERSIONS ?? '')
    .split(' ')
    .filter(Boolean)
    .sort((a, b) => compareVersions(a, b));
  return { older: vs[0] ?? '', newer: vs[vs.length - 1] ?? '' };
}

/** `sandbox up` with `args`, then the profile it wrote (and selected). */
export async function sandboxUp(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Profile> {
  const up = await sandbox(['up', ...args], env);
  if (up.exitCode !== 0) throw new Error(`sandbox up failed: ${up.stderr}`);
  const file = profileFile(env);
  return parseProfile(readFileSync(file, 'utf8'), file).value as Profile;
}

/** Enters keys at one node until it says it is unsealed; every answer must be 200. */
export async function unsealNode(
  address: string,
  keys: readonly string[],
  caFile: string,
): Promise<void> {
  for (const key of keys) {
    const r = await vaultPut(address, 'sys/unseal', { key }, caFile);
    if (r.status !== 200) throw new Error(`unseal ${address}: ${r.status}`);
    if ((r.json as { sealed: boolean }).sealed === false) return;
  }
}

/**
 * Vault initialised through the first node with `shares` keys of which `threshold` unseal,
 * every node unsealed with the first `threshold` of them, and an active node behind the
 * load balancer. For tests of something else than the ceremony (which has its own tests).
 */
export async function initAndUnseal(
  profile: Profile,
  opts: { shares: number; threshold: number },
): Promise<{ keys: string[]; rootToken: string }> {
  const caFile = profile.vault.tls?.ca_cert ?? '';
  const addrs = profile.vault.addresses ?? [];
  const init = await vaultPut(
    addrs[0] ?? '',
    'sys/init',
    { secret_shares: opts.shares, secret_threshold: opts.threshold },
    caFile,
  );
  const body = init.json as { keys: string[]; root_token: string };
  const keys = body.keys.slice(0, opts.threshold);
  for (const a of addrs) await unsealNode(a, keys, caFile);
  const lb = profile.vault.api_addr ?? '';
  await until('an active node behind the load balancer', async () =>
    (await health(lb, caFile))?.code === 200 ? true : undefined,
  );
  return { keys, rootToken: body.root_token };
}

/**
 * A sandbox up and uninitialised, with a copy of its profile (written to `dir/fileName`) that
 * names one keyholder per name with a fresh PGP key: what the headless ceremony runs on.
 */
export async function ceremonySandbox(
  env: NodeJS.ProcessEnv,
  dir: string,
  names: readonly string[],
  fileName: string,
): Promise<{ gpg: GpgHome; profile: Profile; profilePath: string; ca: string }> {
  await ensureTools();
  const gpg = await makeGpgKeys(names);
  const up = await sandbox(['up'], env);
  if (up.exitCode !== 0) throw new Error(`sandbox up: ${up.stderr}`);
  // The file as `sandbox up` wrote it (not the parsed profile, whose defaults would be written out).
  const base = parse(readFileSync(profileFile(env), 'utf8')) as Profile;
  const profile: Profile = {
    ...base,
    keyholders: gpg.keys.map((k) => ({ name: k.name, email: k.email, pgp_key: k.armoredFile })),
  };
  const profilePath = join(dir, fileName);
  writeFileSync(profilePath, stringify(profile));
  return { gpg, profile, profilePath, ca: profile.vault.tls?.ca_cert ?? '' };
}

/** A KV v1 mount at kv/ and kv/canary = `value`, through the load balancer. */
export async function kvCanary(
  lb: string,
  caFile: string,
  rootToken: string,
  value = 'before',
): Promise<void> {
  await until('the kv mount', async () => {
    const r = await vaultPut(
      lb,
      'sys/mounts/kv',
      { type: 'kv', options: { version: '1' } },
      caFile,
      rootToken,
    );
    return r.status === 204 || r.status === 400 ? true : undefined;
  });
  await until('the canary', async () =>
    (await vaultPut(lb, 'kv/canary', { value }, caFile, rootToken)).status === 204
      ? true
      : undefined,
  );
}
