import { describe, expect, it } from 'vitest';
import { FakeAws } from '../../../test-support/fake-aws.js';
import type { RecoveryNode, RecoveryPort } from '../../recovery.js';
import { quarantineCreateAction, quarantineDestroyAction, quarantineNames } from './quarantine.js';
import { ctxFor } from '../../../test-support/s3-recovery-ctx.js';

/** A recovery port in memory that can be told to leave its node running (a failed stop). */
function fakeRecovery(stuck = false): RecoveryPort & { nodes: RecoveryNode[] } {
  const nodes: RecoveryNode[] = [];
  return {
    kind: 'fake',
    nodes,
    start: (s) => {
      const n = { name: s.name, address: 'https://127.0.3.1:8200', bucket: s.bucket };
      nodes.push(n);
      return Promise.resolve(n);
    },
    list: () => Promise.resolve([...nodes]),
    destroy: (name) => {
      const i = nodes.findIndex((n) => n.name === name);
      if (i >= 0 && !stuck) nodes.splice(i, 1);
      return Promise.resolve({ stopped: i >= 0 && !stuck });
    },
  };
}

describe('quarantine', () => {
  it('Given a run id, When named, Then the bucket and node names fit S3 and the sandbox rules', () => {
    const n = quarantineNames('s3-secret-recovery-20261129T115237-abcdef');
    expect(n.bucket).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
    expect(n.node).toMatch(/^[a-z0-9][a-z0-9-]{0,30}$/);
  });

  it('Given a live bucket, When the quarantine is made, Then it holds every current object with the chosen old version of the key, and the live bucket is unchanged', async () => {
    const aws = new FakeAws();
    const old = aws.put('data', 'logical/u/app', 'old');
    aws.put('data', 'logical/u/app', 'new');
    aws.put('data', 'core/keyring', 'ring');
    aws.put('data', 'logical/u/gone', 'x');
    aws.remove('data', 'logical/u/gone');
    const before = JSON.stringify([...aws.buckets.get('data')!]);
    const ctx = ctxFor({ key: 'logical/u/app', version: old }, { aws, recovery: fakeRecovery() });
    const bucket = String((await quarantineCreateAction.run(ctx)).bucket);
    expect(aws.current(bucket, 'logical/u/app')).toBe('old');
    expect(aws.current(bucket, 'core/keyring')).toBe('ring');
    expect(aws.current(bucket, 'logical/u/gone')).toBeUndefined();
    expect(JSON.stringify([...aws.buckets.get('data')!])).toBe(before);
    // A resumed run fills the same bucket again rather than failing or making another.
    await quarantineCreateAction.run(ctx);
    expect([...aws.buckets.keys()].sort()).toEqual(['data', bucket].sort());
  });

  it('Given a half-made quarantine, When destroyed, Then node and bucket are gone and it is proved by reading back', async () => {
    const aws = new FakeAws();
    aws.put('data', 'logical/u/app', 'v');
    const recovery = fakeRecovery();
    const ctx = ctxFor({}, { aws, recovery });
    const names = quarantineNames(ctx.runId);
    await aws.createBucket(names.bucket);
    await recovery.start({ name: names.node, bucket: names.bucket }, ctx.signal);
    expect(await quarantineDestroyAction.run(ctx)).toMatchObject({ gone: true });
    expect(await aws.bucketExists(names.bucket)).toBe(false);
    expect(recovery.nodes).toEqual([]);
    // Again (a resumed cleanup): nothing there is no error.
    expect(await quarantineDestroyAction.run(ctxFor({}, { aws, recovery }))).toMatchObject({
      gone: true,
    });
  });

  it('Given a recovery node that does not stop, When destroyed, Then the step fails saying the quarantine is not fully destroyed', async () => {
    const aws = new FakeAws();
    aws.put('data', 'logical/u/app', 'v');
    const recovery = fakeRecovery(true);
    const ctx = ctxFor({}, { aws, recovery });
    await recovery.start({ name: quarantineNames(ctx.runId).node, bucket: 'q' }, ctx.signal);
    await expect(quarantineDestroyAction.run(ctx)).rejects.toThrow(
      /NOT fully destroyed.*still runs/,
    );
  });
});
