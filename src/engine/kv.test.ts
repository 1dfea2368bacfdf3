import { describe, expect, it } from 'vitest';
import { FakeVault } from '../test-support/fake-vault.js';
import { isDeleted, kvRollback } from './kv.js';

const signal = (): AbortSignal => AbortSignal.timeout(1000);

async function withVersions() {
  const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
  const node = vault.nodes()[0]!;
  const root = vault.rootToken();
  await vault.mountEnable(node, root, 'secret', { type: 'kv', version: '2' }, signal());
  const at = { mount: 'secret', path: 'app' };
  await vault.kvWrite(node, root, { ...at, kv: 2 }, { v: 'good' }, signal());
  await vault.kvWrite(node, root, { ...at, kv: 2 }, { v: 'bad' }, signal());
  return { vault, node, root, at };
}

describe('kvRollback', () => {
  it('Given a bad write over a good version, When rolled back to it, Then the good data is the newest version', async () => {
    const { vault, node, root, at } = await withVersions();
    expect(await kvRollback(vault, node, root, at, 1, signal(), new Date())).toEqual({
      from: 2,
      to: 1,
      version: 3,
    });
    const now = await vault.kvRead(node, root, { ...at, kv: 2 }, signal());
    expect(now?.version).toBe(3);
    expect(now?.data.v?.reveal()).toBe('good');
  });

  it('Given a write that lands between the read and the rollback, When rolled back, Then check-and-set refuses instead of overwriting it', async () => {
    const { vault, node, root, at } = await withVersions();
    const read = vault.kvRead.bind(vault);
    vault.kvRead = async (...args) => {
      const r = await read(...args);
      await vault.kvWrite(node, root, { ...at, kv: 2 }, { v: 'someone else' }, signal());
      return r;
    };
    await expect(kvRollback(vault, node, root, at, 1, signal(), new Date())).rejects.toThrow(
      /check-and-set/,
    );
  });
});

describe('isDeleted', () => {
  const v = (deletionTime: string, destroyed = false) => ({
    version: 1,
    createdTime: '2026-01-01T00:00:00Z',
    deletionTime,
    destroyed,
  });
  const now = new Date('2026-06-01T00:00:00Z');
  it('Given a deletion time in the past, in the future (delete_version_after) or none, When judged, Then only the past one is deleted', () => {
    expect(isDeleted(v('2026-05-01T00:00:00Z'), now)).toBe(true);
    expect(isDeleted(v('2026-07-01T00:00:00Z'), now)).toBe(false);
    expect(isDeleted(v(''), now)).toBe(false);
    expect(isDeleted(v('2026-05-01T00:00:00Z', true), now)).toBe(false);
  });
});
