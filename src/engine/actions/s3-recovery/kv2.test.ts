import { describe, expect, it } from 'vitest';
import { FakeAws } from '../../../test-support/fake-aws.js';
import { FakeVault } from '../../../test-support/fake-vault.js';
import type { HumanPrompt } from '../../human.js';
import { ctxFor } from '../../../test-support/s3-recovery-ctx.js';
import { instantClock } from '../../../test-support/fakes.js';
import { kv2OwnVersionsAction } from './kv2.js';

const signal = () => AbortSignal.timeout(1000);
// FakeVault stamps deletions with the wall clock: "deleted now" is judged against it too.
const clock = { ...instantClock, now: () => new Date() };
const at = { mount: 'kv2', path: 'app' };
const v2 = { ...at, kv: 2 as const };

/** kv2/app written good then bad: two versions. */
async function secret() {
  const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
  const node = vault.nodes()[0]!;
  const token = vault.rootToken();
  await vault.mountEnable(node, token, 'kv2', { type: 'kv', version: '2' }, signal());
  await vault.kvWrite(node, token, v2, { v: 'good' }, signal());
  await vault.kvWrite(node, token, v2, { v: 'bad' }, signal());
  const read = async () => (await vault.kvRead(node, token, v2, signal()))?.data.v?.reveal();
  return { vault, node, token, read };
}

const choosing = (value: string) => () => ({ type: 'choose' as const, value });
const offered = (p: HumanPrompt | undefined) =>
  p?.type === 'choose' ? p.options.map((o) => o.value) : [];

describe('vault.kv2-own-versions', () => {
  it('Given a KV v2 secret, When the step runs, Then it lists the versions, offers Vault’s rollback and no S3, and, chosen, writes the old version as new', async () => {
    const { vault, token, read } = await secret();
    const ctx = ctxFor(at, { vault, token, clock }, choosing('rollback:1'));
    expect(await kv2OwnVersionsAction.run(ctx)).toMatchObject({ rolledBack: true, version: 3 });
    expect(offered(ctx.asked[0])).toEqual(['rollback:1', 'abort']);
    expect(ctx.lines.join('\n')).toMatch(/v2 {2}created \S+ {2}readable\n {2}v1 {2}created/);
    expect(await read()).toBe('good');
  });

  it('Given the latest version soft-deleted, When the step runs, Then undelete comes first and, chosen, the latest reads again with no new version', async () => {
    const { vault, node, token, read } = await secret();
    await vault.kvDelete(node, token, at, signal());
    expect(await read()).toBeUndefined();
    const ctx = ctxFor(at, { vault, token, clock }, choosing('undelete:2'));
    expect(await kv2OwnVersionsAction.run(ctx)).toMatchObject({ undeleted: 2, version: 2 });
    expect(offered(ctx.asked[0])).toEqual(['undelete:2', 'rollback:1', 'abort']);
    expect(ctx.lines.join('\n')).toMatch(/v2 {2}created \S+ {2}deleted /);
    expect(await read()).toBe('bad');
    expect((await vault.kvMetadata(node, token, at, signal()))?.currentVersion).toBe(2);
  });

  it('Given the latest version soft-deleted, When rollback to v1 is chosen instead, Then v1’s data is the new current version', async () => {
    const { vault, node, token, read } = await secret();
    await vault.kvDelete(node, token, at, signal());
    const ctx = ctxFor(at, { vault, token, clock }, choosing('rollback:1'));
    expect(await kv2OwnVersionsAction.run(ctx)).toMatchObject({ from: 2, to: 1, version: 3 });
    expect(await read()).toBe('good');
  });

  it('Given an earlier version soft-deleted, When chosen, Then it is undeleted and rolled back to', async () => {
    const { vault, node, token, read } = await secret();
    await vault.kvDelete(node, token, at, signal(), [1]);
    const ctx = ctxFor(at, { vault, token, clock }, choosing('undelete-rollback:1'));
    expect(await kv2OwnVersionsAction.run(ctx)).toMatchObject({ rolledBack: true, version: 3 });
    expect(await read()).toBe('good');
  });

  it('Given a destroyed version, When the step runs, Then it says Vault cannot recover it, offers S3 only then, and the S3 answer names the candidate keys', async () => {
    const { vault, node, token } = await secret();
    await vault.kvDestroy(node, token, at, [1], signal());
    const aws = new FakeAws();
    aws.put('data', 'logical/u-2/versions/abc/1', 'x');
    aws.remove('data', 'logical/u-2/versions/abc/1');
    aws.put('data', 'logical/u-2/versions/def/2', 'y');
    const input = { ...at, 'mount-uuid': 'u-2', bucket: 'data', 'aws-region': 'us-east-1' };
    const ctx = ctxFor(input, { vault, token, aws, clock }, choosing('s3'));
    await expect(kv2OwnVersionsAction.run(ctx)).rejects.toThrow(
      /cannot be recovered from Vault.*versions\/abc\/1 \(deleted/,
    );
    expect(offered(ctx.asked[0])).toEqual(['s3', 'abort']);
    expect(ctx.lines.join('\n')).toMatch(/v1 {2}created \S+ {2}destroyed — cannot be recovered/);
    const p = ctx.asked[0];
    expect(p?.type === 'choose' && p.message).toMatch(/cannot be recovered from Vault/);
  });

  it('Given no destroyed version, When the answer insists on S3, Then it is refused as not offered', async () => {
    const { vault, token } = await secret();
    const ctx = ctxFor(at, { vault, token, clock }, choosing('s3'));
    await expect(kv2OwnVersionsAction.run(ctx)).rejects.toThrow(/'s3' is not one of/);
  });

  it('Given a version whose deletion time is in the future (delete_version_after), When listed, Then it is readable and rolled back to, not undeleted', async () => {
    const { vault, node, token } = await secret();
    const meta = vault.kvMetadata.bind(vault);
    vault.kvMetadata = async (...args) => {
      const m = await meta(...args);
      return (
        m && {
          ...m,
          versions: m.versions.map((v) => ({ ...v, deletionTime: '2999-01-01T00:00:00Z' })),
        }
      );
    };
    const ctx = ctxFor(at, { vault, token, clock }, choosing('rollback:1'));
    await kv2OwnVersionsAction.run(ctx);
    expect(offered(ctx.asked[0])).toEqual(['rollback:1', 'abort']);
    expect((await vault.kvRead(node, token, v2, signal()))?.data.v?.reveal()).toBe('good');
  });
});
