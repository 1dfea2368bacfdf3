import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, ValidationError } from '../domain/errors.js';
import { loadProfileLazily } from './profile-read.js';
import { loadProfile } from './profiles.js';

function profileFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vr-profile-read-'));
  const file = join(dir, 'p.yaml');
  writeFileSync(file, text);
  return file;
}

const GOOD = `name: lab
vault:
  addresses: [https://127.0.0.1:8200]
  tls: { ca_cert: certs/ca.pem }
keyholders:
  - { name: alice, pgp_key: keys/alice.asc }
`;

describe('loadProfileLazily (the status pane reads the profile without the yaml parser)', () => {
  it('Given a profile without problems, When read lazily, Then it is the profile loadProfile gives, paths made relative to the file', async () => {
    const file = profileFile(GOOD);
    const lazily = await loadProfileLazily(file);
    expect(lazily).toEqual(loadProfile(file));
    expect(lazily?.vault.tls?.ca_cert).toBe(join(file, '..', 'certs', 'ca.pem'));
  });

  it('Given a profile with a problem, When read lazily, Then it fails as loadProfile does, each problem at its line', async () => {
    const file = profileFile(
      `name: lab\nvault:\n  addresses: [https://127.0.0.1:8200]\n  bogus: 1\n`,
    );
    const expected = (() => {
      try {
        loadProfile(file);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(expected).toBeInstanceOf(ValidationError);
    const got = await loadProfileLazily(file).catch((err: unknown) => err);
    expect(got).toBeInstanceOf(ValidationError);
    expect((got as ValidationError).diagnostics).toEqual((expected as ValidationError).diagnostics);
    expect((got as ValidationError).diagnostics[0]).toMatchObject({ line: 4 });
  });

  it('Given no file, or no path, When read lazily, Then a usage error, or no profile', async () => {
    await expect(loadProfileLazily('/nonexistent/p.yaml')).rejects.toBeInstanceOf(UsageError);
    await expect(loadProfileLazily(undefined)).resolves.toBeUndefined();
  });
});
