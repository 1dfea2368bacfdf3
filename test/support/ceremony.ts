import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { cliWithFd3 } from './cli.js';
import type { GpgHome } from './pgp.js';

export interface CeremonyRun {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** The plaintext shares the keyholders decrypted with gpg, in share order (all of them). */
  readonly shares: readonly string[];
  /** The first operator's token, decrypted from `<dir>/<operator>.token.asc`. */
  readonly operatorToken?: string;
  readonly dir: string;
}

/** A profile whose keyholders are the GpgHome's keys (paths relative to the profile). */
export function writeCeremonyProfile(
  file: string,
  addresses: readonly string[],
  gpg: GpgHome,
  opts: { pgp?: boolean; caCert?: string } = {},
): void {
  writeFileSync(
    file,
    stringify({
      name: 'ceremony-test',
      vault: { addresses, ...(opts.caCert ? { tls: { ca_cert: opts.caCert } } : {}) },
      keyholders: gpg.keys.map((k) => ({
        name: k.name,
        email: k.email,
        ...(opts.pgp === false ? {} : { pgp_key: relative(join(file, '..'), k.armoredFile) }),
      })),
    }),
  );
}

/**
 * The headless PGP ceremony as keyholders live it: the run writes each share encrypted to
 * `<dir>/<name>.share.asc`, `unsealWith` keyholders decrypt theirs with gpg and type them (the
 * run's --secrets-fd), and the run goes on to audit, operator token and root revocation.
 */
export async function headlessCeremony(opts: {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly profile: string;
  readonly gpg: GpgHome;
  readonly dir: string;
  readonly auditFile: string;
  readonly operator: string;
  readonly unsealWith: number;
  readonly timeoutMs?: number;
}): Promise<CeremonyRun> {
  mkdirSync(opts.cwd, { recursive: true });
  const answers = join(opts.cwd, 'answers.yaml');
  writeFileSync(answers, stringify({ 'confirm-plan': 'yes' }));
  const child = cliWithFd3(
    [
      'run',
      'bootstrap-ceremony',
      '--profile',
      opts.profile,
      '--answers',
      answers,
      '--secrets-fd',
      '3',
      '--var',
      `dir=${opts.dir}`,
      '--var',
      `audit_file=${opts.auditFile}`,
      '--var',
      `operator=${opts.operator}`,
    ],
    opts.env,
    opts.cwd,
  );
  const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
  const files = opts.gpg.keys.map((k) => join(opts.dir, `${k.name}.share.asc`));
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  const shares: string[] = [];
  try {
    while (!files.every((f) => existsSync(f))) {
      if (child.exitCode !== null || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (files.every((f) => existsSync(f))) {
      // Give the last write a moment: the file is created before its content is flushed.
      await new Promise((r) => setTimeout(r, 200));
      for (const f of files) shares.push(await opts.gpg.decryptFile(f));
      fd3.write(`${shares.slice(0, opts.unsealWith).join('\n')}\n`);
    }
  } finally {
    fd3.end();
  }
  const r = await child;
  const tokenFile = join(opts.dir, `${opts.operator}.token.asc`);
  return {
    exitCode: r.exitCode,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    shares,
    ...(existsSync(tokenFile) ? { operatorToken: await opts.gpg.decryptFile(tokenFile) } : {}),
    dir: opts.dir,
  };
}
