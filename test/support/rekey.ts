import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cliWithFd3, feedSecrets } from './cli.js';
import type { GpgHome } from './pgp.js';

/**
 * Headless drives of runbooks/generate-root.yaml and runbooks/rekey.yaml through the real CLI,
 * for this repository's tests and for chaining into the sandbox integration test.
 */

export interface HeadlessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, to grep for leaks. */
  readonly out: string;
}

export interface Keyholder {
  readonly name: string;
  readonly pgpKeyFile?: string;
}

/** A profile for one or more Vault addresses, with keyholders (and their PGP key files). */
export function writeProfile(
  dir: string,
  opts: {
    name?: string;
    addresses: readonly string[];
    caCert?: string;
    keyholders?: readonly Keyholder[];
  },
): string {
  const file = join(dir, 'profile.yaml');
  writeFileSync(
    file,
    stringify({
      name: opts.name ?? 'test',
      vault: {
        addresses: [...opts.addresses],
        ...(opts.caCert ? { tls: { ca_cert: opts.caCert } } : {}),
      },
      ...(opts.keyholders
        ? {
            keyholders: opts.keyholders.map((k) => ({
              name: k.name,
              ...(k.pgpKeyFile ? { pgp_key: k.pgpKeyFile } : {}),
            })),
          }
        : {}),
    }),
  );
  return file;
}

function answersFile(dir: string, name: string, answers: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(answers));
  return file;
}

async function finish(child: ReturnType<typeof cliWithFd3>): Promise<HeadlessResult> {
  const r = await child;
  const stdout = String(r.stdout);
  const stderr = String(r.stderr);
  return { exitCode: r.exitCode ?? -1, stdout, stderr, out: `${stdout}\n${stderr}` };
}

/**
 * `vault-runbook run generate-root` headless: `shares` go to --secrets-fd 3 one per line,
 * `command` is the scripted break-glass work (VAULT_TOKEN/VAULT_ADDR in its environment).
 */
export async function runGenerateRoot(opts: {
  env: NodeJS.ProcessEnv;
  dir: string;
  profile: string;
  shares: readonly string[];
  reason?: string;
  command?: string;
  answers?: Record<string, unknown>;
  /** More `--var k=v`. */
  vars?: readonly string[];
}): Promise<HeadlessResult> {
  const answers = answersFile(opts.dir, 'generate-root-answers.yaml', {
    approve: 'yes',
    window: 'yes',
    ...opts.answers,
  });
  const child = cliWithFd3(
    [
      'run',
      'generate-root',
      '--profile',
      opts.profile,
      '--answers',
      answers,
      '--secrets-fd',
      '3',
      '--var',
      `reason=${opts.reason ?? 'test'}`,
      ...(opts.command ? ['--var', `command=${opts.command}`] : []),
      ...(opts.vars ?? []).flatMap((v) => ['--var', v]),
    ],
    opts.env,
  );
  feedSecrets(child, opts.shares);
  return finish(child);
}

/** `vault-runbook run check-shares` headless: do these shares still combine? (0 yes; 10 when refused and no more lines.) */
export async function runCheckShares(opts: {
  env: NodeJS.ProcessEnv;
  profile: string;
  shares: readonly string[];
}): Promise<HeadlessResult> {
  const child = cliWithFd3(
    ['run', 'check-shares', '--profile', opts.profile, '--secrets-fd', '3'],
    opts.env,
  );
  feedSecrets(child, opts.shares);
  return finish(child);
}

/** Waits until every file exists with a complete armor block, or the run ends first. */
async function armoredFiles(
  files: readonly string[],
  ended: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ready = files.every(
      (f) => existsSync(f) && readFileSync(f, 'utf8').includes('-----END PGP MESSAGE-----'),
    );
    if (ready) return true;
    if (ended() || Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `vault-runbook run rekey` headless with PGP keyholders: the old shares go to fd 3 at once;
 * when `<name>.share.asc` files appear in `outDir`, each is decrypted as its keyholder would
 * (`gpg -dq`) and the first `threshold` new shares are entered for the "new shares work" step.
 * Returns every new share, in keyholder order.
 */
export async function runRekeyPgp(opts: {
  env: NodeJS.ProcessEnv;
  dir: string;
  profile: string;
  keyholders: readonly string[];
  gpg: GpgHome;
  oldShares: readonly string[];
  threshold: number;
  outDir: string;
  answers?: Record<string, unknown>;
  /** false: the keyholders never enter their new shares (fd 3 ends after the old ones). */
  enterNew?: boolean;
}): Promise<HeadlessResult & { newShares: string[] }> {
  const answers = answersFile(opts.dir, 'rekey-answers.yaml', { approve: 'yes', ...opts.answers });
  const child = cliWithFd3(
    [
      'run',
      'rekey',
      '--profile',
      opts.profile,
      '--answers',
      answers,
      '--secrets-fd',
      '3',
      '--var',
      `threshold=${opts.threshold}`,
      '--var',
      `out_dir=${opts.outDir}`,
    ],
    opts.env,
  );
  let ended = false;
  const done = finish(child).finally(() => {
    ended = true;
  });
  // A finished run still holds fd 3 open, so watch for its last line rather than its exit.
  child.stdout?.on('data', (d: Buffer) => {
    if (
      /^[✗✓■] run |^✗ precondition|waits for a person|"type":"run-(?:finished|suspended)"/m.test(
        d.toString(),
      )
    )
      ended = true;
  });
  const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
  fd3.on('error', () => undefined);
  fd3.write(opts.oldShares.map((s) => `${s}\n`).join(''));
  const files = opts.keyholders.map((k) => join(opts.outDir, `${k}.share.asc`));
  const newShares: string[] = [];
  if (opts.enterNew !== false && (await armoredFiles(files, () => ended, 60_000))) {
    for (const f of files) newShares.push(await opts.gpg.decryptFile(f));
    fd3.end(
      newShares
        .slice(0, opts.threshold)
        .map((s) => `${s}\n`)
        .join(''),
    );
  } else fd3.end();
  return { ...(await done), newShares };
}
