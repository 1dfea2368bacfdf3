import { describe, expect, it } from 'vitest';
import type { Mount } from '../../vault.js';
import { diffLatest, resolveStorageTarget, versionsOfKey } from './storage.js';

const mounts: Mount[] = [
  { path: 'kv1/', type: 'kv', uuid: 'u-kv1', version: '1' },
  { path: 'kv1/deep/', type: 'kv', uuid: 'u-deep' },
  { path: 'kv2/', type: 'kv', uuid: 'u-kv2', version: '2' },
  { path: 'sys/', type: 'system', uuid: 'u-sys' },
];

describe('where a secret lives in S3', () => {
  it('Given a KV v1 path, When resolved, Then the key is logical/<mount-uuid>/<path>', () => {
    expect(resolveStorageTarget('kv1/app', mounts)).toMatchObject({
      key: 'logical/u-kv1/app',
      secretPath: 'app',
      kv: 1,
    });
  });
  it('Given nested mounts, When resolved, Then the longest mount path wins, as Vault routes', () => {
    expect(resolveStorageTarget('kv1/deep/x/y', mounts)).toMatchObject({
      key: 'logical/u-deep/x/y',
      secretPath: 'x/y',
    });
  });
  it('Given a KV v2 path, When resolved, Then it is marked KV v2', () => {
    expect(resolveStorageTarget('kv2/app', mounts)).toMatchObject({ kv: 2, secretPath: 'app' });
    expect(resolveStorageTarget('kv2/data/app', mounts)).toMatchObject({ secretPath: 'app' });
  });
  it('Given a raw key under a KV v1 mount, When resolved, Then it maps back to the secret path', () => {
    expect(resolveStorageTarget('logical/u-kv1/app', mounts)).toMatchObject({
      key: 'logical/u-kv1/app',
      secretPath: 'app',
      kv: 1,
    });
    expect(resolveStorageTarget('core/keyring', mounts)).toEqual({ key: 'core/keyring', kv: 0 });
  });
  it('Given no mount, a bare mount, a non-KV mount or a .. path, When resolved, Then a usage error says why', () => {
    expect(resolveStorageTarget('nope/app', mounts)).toMatchObject({ error: /no mount/ });
    expect(resolveStorageTarget('kv1/', mounts)).toMatchObject({ error: /not a secret path/ });
    expect(resolveStorageTarget('sys/x', mounts)).toMatchObject({ key: 'sys/x', kv: 0 });
    expect(resolveStorageTarget('kv1/../x', mounts)).toMatchObject({ error: /not a secret/ });
  });
});

describe('versions and what changed', () => {
  it('Given versions of several keys, When listed for one, Then only its versions, latest first', () => {
    const v = (key: string, id: string, t: string, isLatest = false) => ({
      key,
      versionId: id,
      isLatest,
      lastModified: t,
      size: 1,
      deleteMarker: false,
    });
    const out = versionsOfKey(
      [v('a', '1', '2026-01-01'), v('b', 'x', '2026-01-03', true), v('a', '2', '2026-01-02', true)],
      'a',
    );
    expect(out.map((x) => x.versionId)).toEqual(['2', '1']);
  });
  it('Given two latest maps, When compared, Then changed, new and gone keys are named', () => {
    expect(diffLatest({ a: '1', b: '1', c: '1' }, { a: '1', b: '2', d: '1' })).toEqual({
      unchanged: 1,
      changed: ['b'],
      added: ['d'],
      removed: ['c'],
    });
  });
});
