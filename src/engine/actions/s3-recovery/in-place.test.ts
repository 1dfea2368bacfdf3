import { describe, expect, it } from 'vitest';
import { FakeAws } from '../../../test-support/fake-aws.js';
import { FakeVault } from '../../../test-support/fake-vault.js';
import { clusterStopAction, restoreVersionAction } from './in-place.js';
import { ctxFor } from '../../../test-support/s3-recovery-ctx.js';

function world() {
  const aws = new FakeAws();
  const v1 = aws.put('data', 'logical/u/app', 'ciphertext-1');
  const v2 = aws.put('data', 'logical/u/app', 'ciphertext-2');
  aws.put('data', 'logical/u/other', 'other');
  const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
  const input = { key: 'logical/u/app', version: v1, 'latest-before': v2 };
  return { aws, vault, v1, v2, input };
}

describe('aws.s3-restore-version', () => {
  it('Given a Vault node still answering, When restoring, Then it refuses and copies nothing', async () => {
    const { aws, vault, input } = world();
    const ctx = ctxFor(input, { aws, vault });
    await expect(restoreVersionAction.run(ctx)).rejects.toThrow(/while Vault runs on node-1/);
    expect(aws.calls.filter((c) => c.startsWith('copy'))).toEqual([]);
  });

  it('Given every node down, When restored, Then the version is copied on top once and history stays', async () => {
    const { aws, vault, input, v1, v2 } = world();
    vault.state('node-1').down = true;
    const ctx = ctxFor(input, { aws, vault });
    expect(await restoreVersionAction.run(ctx)).toMatchObject({ restored: true });
    expect(aws.current('data', 'logical/u/app')).toBe('ciphertext-1');
    const ids = (await aws.listObjectVersions('data', 'us-east-1', ctx.signal)).map(
      (v) => v.versionId,
    );
    expect(ids).toEqual(expect.arrayContaining([v1, v2]));
  });

  it('Given a restore that took effect before a SIGKILL, When resumed, Then the probe says so and a re-run never copies twice', async () => {
    const { aws, vault, input } = world();
    vault.state('node-1').down = true;
    await restoreVersionAction.run(ctxFor(input, { aws, vault }));
    const probe = await restoreVersionAction.probe?.(ctxFor(input, { aws, vault }));
    expect(probe).toMatchObject({ tookEffect: true });
    const again = await restoreVersionAction.run(ctxFor(input, { aws, vault }));
    expect(again).toMatchObject({ restored: false });
    expect(aws.calls.filter((c) => c.startsWith('copy'))).toHaveLength(1);
  });

  it('Given the key changed since it was listed, When restoring, Then it refuses', async () => {
    const { aws, vault, input } = world();
    vault.state('node-1').down = true;
    aws.put('data', 'logical/u/app', 'someone-else');
    await expect(restoreVersionAction.run(ctxFor(input, { aws, vault }))).rejects.toThrow(
      /changed since it was listed/,
    );
  });
});

describe('aws.asg-stop-vault', () => {
  it('Given a running cluster, When stopped, Then the ASG is at 0 and it waits until no node answers', async () => {
    const { aws, vault } = world();
    aws.onScale = (n) => {
      vault.state('node-1').down = n === 0;
    };
    const ctx = ctxFor({}, { aws, vault });
    expect(await clusterStopAction.run(ctx)).toHaveProperty('stoppedAt');
    expect(aws.calls).toEqual(['scale vault-primary 0']);
    expect(ctx.lines.join('\n')).toMatch(/the cluster is DOWN/);
  });
  it('Given a stop interrupted after the scale, When probed, Then it took effect and says the cluster is down', async () => {
    const { aws, vault } = world();
    await aws.scaleAsg('vault-primary', 0, 'us-east-1', AbortSignal.timeout(1000), 0);
    const early = await clusterStopAction.probe?.(ctxFor({}, { aws, vault }));
    expect(early).toMatchObject({ tookEffect: false, detail: expect.stringMatching(/going DOWN/) });
    vault.state('node-1').down = true;
    const p = await clusterStopAction.probe?.(ctxFor({}, { aws, vault }));
    expect(p).toMatchObject({ tookEffect: true, detail: expect.stringMatching(/DOWN/) });
  });
});
