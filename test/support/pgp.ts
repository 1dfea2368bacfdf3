import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface GpgKey {
  readonly name: string;
  readonly email: string;
  /** gpg's own fingerprint (`--with-colons` fpr record of the primary key). */
  readonly fingerprint: string;
  readonly armoredFile: string;
  readonly binaryFile: string;
}

export interface GpgHome {
  readonly dir: string;
  readonly keys: readonly GpgKey[];
  /** `base64 -d | gpg -dq`: what a keyholder does with an encrypted share. */
  decryptBase64(b64: string): Promise<string>;
  /** `gpg -dq file.asc`. */
  decryptFile(file: string): Promise<string>;
}

async function gpg(home: string, args: string[], input?: Buffer | string) {
  return execa('gpg', ['--homedir', home, '--batch', '--no-tty', ...args], {
    ...(input !== undefined ? { input } : {}),
    encoding: 'buffer',
  });
}

/**
 * A throwaway GNUPGHOME with one RSA-2048 key per keyholder (no passphrase, an encryption
 * subkey unless `encrypt: false`), each exported armored and binary: the keys a profile's `keyholders[].pgp_key` point at.
 */
export async function makeGpgKeys(
  names: readonly string[],
  opts: { encrypt?: boolean } = {},
): Promise<GpgHome> {
  const dir = mkdtempSync(join(tmpdir(), 'vr-gpg-'));
  const home = join(dir, 'gnupg');
  await execa('mkdir', ['-m', '700', home]);
  const keys: GpgKey[] = [];
  for (const name of names) {
    const email = `${name.toLowerCase()}@example.test`;
    await gpg(home, [
      '--passphrase',
      '',
      '--quick-gen-key',
      `${name} <${email}>`,
      'rsa2048',
      'default',
      'never',
    ]);
    const colons = new TextDecoder().decode(
      (await gpg(home, ['--with-colons', '--fingerprint', `<${email}>`])).stdout,
    );
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
    if (!fpr) throw new Error(`no fingerprint for ${name}:\n${colons}`);
    // quick-gen-key with an algorithm makes a sign/certify key only: Vault needs one that encrypts.
    if (opts.encrypt !== false)
      await gpg(home, ['--passphrase', '', '--quick-add-key', fpr, 'rsa2048', 'encr', 'never']);
    const armoredFile = join(dir, `${name}.asc`);
    const binaryFile = join(dir, `${name}.gpg`);
    // gpg writes the files itself, and reads each back: a test then fails only on our parser,
    // never on a short export (seen once under heavy parallel load, not reproduced since).
    for (const [file, armor] of [
      [armoredFile, true],
      [binaryFile, false],
    ] as const) {
      for (let attempt = 1; ; attempt++) {
        await gpg(home, [
          '--yes',
          '--output',
          file,
          ...(armor ? ['--armor'] : []),
          '--export',
          fpr,
        ]);
        const shown = new TextDecoder().decode(
          (await gpg(home, ['--with-colons', '--show-keys', file]).catch(() => undefined))?.stdout,
        );
        if (shown.includes(`:${fpr}:`)) break;
        if (attempt === 3) throw new Error(`gpg could not read back its own export ${file}`);
      }
    }
    keys.push({ name, email, fingerprint: fpr, armoredFile, binaryFile });
  }
  const decrypt = async (data: Buffer): Promise<string> =>
    new TextDecoder().decode((await gpg(home, ['-dq'], data)).stdout).trim();
  return {
    dir,
    keys,
    decryptBase64: (b64) => decrypt(Buffer.from(b64, 'base64')),
    decryptFile: (file) => decrypt(readFileSync(file)),
  };
}

/** The subkey fingerprints gpg itself accepts in a key file (`--show-keys`: fpr after sub). */
export async function gpgSubkeys(file: string): Promise<string[]> {
  const { stdout } = await execa('gpg', ['--batch', '--with-colons', '--show-keys', file]);
  const lines = stdout.split('\n');
  return lines.flatMap((l, i) =>
    l.startsWith('sub:') ? [/^fpr:+([0-9A-F]{40}):/.exec(lines[i + 1] ?? '')?.[1] ?? ''] : [],
  );
}
