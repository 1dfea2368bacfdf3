import { describe, expect, it } from 'vitest';
import { FakeAws } from '../../../test-support/fake-aws.js';
import { ctxFor, profile } from '../../../test-support/s3-recovery-ctx.js';
import type { RecoveryPort } from '../../recovery.js';
import { quarantineCreateAction } from './quarantine.js';

/** What the quarantine asks about its bucket: the owner it expects goes with every question. */
class OwnerAsked extends FakeAws {
  readonly owners: (string | undefined)[] = [];
  override bucketExists(
    bucket: string,
    _region?: string,
    _signal?: AbortSignal,
    expectedOwner?: string,
  ): Promise<boolean> {
    this.owners.push(expectedOwner);
    return super.bucketExists(bucket);
  }
}

const noRecovery: RecoveryPort = {
  kind: 'none',
  start: () => Promise.reject(new Error('unused')),
  list: () => Promise.resolve([]),
  destroy: () => Promise.resolve({ stopped: false }),
};

describe('quarantine bucket owner', () => {
  it('Given a profile whose recovery role is in account 111122223333, When the quarantine bucket is looked for, Then that account is the expected owner', async () => {
    const aws = new OwnerAsked();
    const old = aws.put('data', 'logical/u/app', 'old');
    aws.put('data', 'logical/u/app', 'new');
    const ctx = {
      ...ctxFor({ key: 'logical/u/app', version: old }, { aws, recovery: noRecovery }),
      profile: {
        ...profile,
        recovery: {
          subnet_id: 'subnet-0abc',
          instance_profile: 'vault-recovery',
          role_arn: 'arn:aws:iam::111122223333:role/vault-recovery',
          operator_cidr: '10.20.0.0/24',
          egress_cidrs: ['10.0.8.0/26'],
        },
      },
    };
    await quarantineCreateAction.run(ctx);
    expect(aws.owners).toEqual(['111122223333']);
  });
});
