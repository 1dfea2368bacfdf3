import { describe, expect, it } from 'vitest';
import { FakeAws } from '../../../test-support/fake-aws.js';
import { FakeVault } from '../../../test-support/fake-vault.js';
import type { RecoveryPort } from '../../recovery.js';
import { chooseModeAction, chooseVersionAction, resolveSecretAction } from './select.js';
import { ctxFor } from '../../../test-support/s3-recovery-ctx.js';

const signal = () => AbortSignal.timeout(1000);

async function cluster() {
  const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
  const node = vault.nodes()[0]!;
  const token = vault.rootToken();
  await vault.mountEnable(node, token, 'kv1', { type: 'kv', version: '1' }, signal());
  await vault.mountEnable(node, token, 'kv2', { type: 'kv', version: '2' }, signal());
  const uuid = (await vault.mounts(node, token, signal())).find((m) => m.path === 'kv1/')!.uuid;
  return { vault, node, token, uuid };
}

describe('s3.resolve-secret', () => {
  it('Given a KV v1 secret whose latest version is a delete marker, When resolved, Then its key and versions are listed and the deletion is said', async () => {
    const { vault, token, uuid } = await cluster();
    const aws = new FakeAws();
    const key = `logical/${uuid}/app`;
    const v1 = aws.put('data', key, 'enc-1');
    aws.remove('data', key);
    const ctx = ctxFor({ path: 'kv1/app' }, { aws, vault, token });
    const out = await resolveSecretAction.run(ctx);
    expect(out).toMatchObject({ key, kv: 1, secretPath: 'app', latestDeleted: true });
    expect((out.versions as { versionId: string }[]).map((v) => v.versionId)).toContain(v1);
    expect(ctx.lines.join('\n')).toMatch(/delete marker: the secret was deleted/);
  });
});

describe('s3.resolve-secret on KV v2', () => {
  it('Given a KV v2 path, When resolved, Then no S3 listing is needed and it is marked KV v2', async () => {
    const { vault, token } = await cluster();
    const aws = new FakeAws();
    const out = await resolveSecretAction.run(ctxFor({ path: 'kv2/app' }, { aws, vault, token }));
    expect(out).toMatchObject({ kv: 2, mount: 'kv2', secretPath: 'app', versions: [] });
  });
});

describe('s3.choose-version and s3.choose-mode', () => {
  const versions = [
    { key: 'k', versionId: 'd', isLatest: true, lastModified: 't3', size: 0, deleteMarker: true },
    { key: 'k', versionId: 'b', isLatest: false, lastModified: 't2', size: 9, deleteMarker: false },
    { key: 'k', versionId: 'a', isLatest: false, lastModified: 't1', size: 9, deleteMarker: false },
  ];
  it('Given no version up front, When asked, Then the list offers only restorable versions, newest first', async () => {
    const ctx = ctxFor({ key: 'k', versions, version: '' }, {}, () => ({
      type: 'choose',
      value: 'a',
    }));
    expect(await chooseVersionAction.run(ctx)).toMatchObject({ versionId: 'a' });
    const p = ctx.asked[0];
    expect(p?.type === 'choose' && p.options.map((o) => o.value)).toEqual(['b', 'a']);
  });
  it('Given the latest or a delete marker or an unknown id, When named, Then a usage error', async () => {
    for (const [id, why] of [
      ['d', /delete marker/],
      ['zz', /not a version/],
    ] as const)
      await expect(
        chooseVersionAction.run(ctxFor({ key: 'k', versions, version: id }, {})),
      ).rejects.toThrow(why);
  });
  it('Given no recovery node port, When quarantine is chosen, Then it says quarantine needs one and names in-place', async () => {
    await expect(chooseModeAction.run(ctxFor({ mode: 'quarantine' }, {}))).rejects.toThrow(
      /needs an isolated recovery node.*in-place/,
    );
    const recovery = {} as RecoveryPort;
    expect(await chooseModeAction.run(ctxFor({ mode: 'quarantine' }, { recovery }))).toMatchObject({
      quarantine: true,
      inPlace: false,
    });
    await expect(
      chooseModeAction.run(ctxFor({ mode: 'quarantine', quarantine: false }, { recovery })),
    ).rejects.toThrow(/not a KV v1 secret/);
  });
});
