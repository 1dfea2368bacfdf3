import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFiles, type WriteAll } from './files.js';

const signal = new AbortController().signal;
const share =
  '-----BEGIN PGP MESSAGE-----\n\n' + 'A'.repeat(4000) + '\n-----END PGP MESSAGE-----\n';

/** Writes the first half for real, then fails the way a full disk does. */
const halfThenEnospc: WriteAll = async (handle, data) => {
  await handle.write(data, 0, data.length >> 1);
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
};

describe('LocalFiles.writeNew', () => {
  it('Given a write that fails half-way, When a share file is written, Then nothing is left at the final name or beside it, and a retry writes it whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-files-'));
    const target = join(dir, 'ceremony', 'alice.share.asc');
    await expect(
      new LocalFiles({ writeAll: halfThenEnospc }).writeNew(target, share, signal),
    ).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(join(dir, 'ceremony'))).toEqual([]);

    const written = await new LocalFiles().writeNew(target, share, signal);
    expect(written).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe(share);
    expect(readdirSync(join(dir, 'ceremony'))).toEqual(['alice.share.asc']);
  });

  it('Given a new directory, When a token file is written, Then the file is 0600 and the directory 0700', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-files-'));
    const target = join(dir, 'out', 'operator.token.asc');
    await new LocalFiles().writeNew(target, new Uint8Array([1, 2, 3]), signal);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'out')).mode & 0o777).toBe(0o700);
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
  });

  it('Given a file already at the name, When writing there, Then it is refused and the old file is untouched, with no temporary file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-files-'));
    const target = join(dir, 'bob.share.asc');
    writeFileSync(target, 'first ceremony');
    await expect(new LocalFiles().writeNew(target, share, signal)).rejects.toThrow(
      /already exists: move it away first/,
    );
    expect(readFileSync(target, 'utf8')).toBe('first ceremony');
    expect(readdirSync(dir)).toEqual(['bob.share.asc']);
  });

  it('Given an aborted signal, When writing, Then nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-files-'));
    const ac = new AbortController();
    ac.abort();
    await expect(new LocalFiles().writeNew(join(dir, 'x.asc'), share, ac.signal)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
