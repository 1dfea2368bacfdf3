import { describe, expect, it } from 'vitest';
import { refuseRecoveryTarget } from './recovery-target.js';

const live = { buckets: ['prod-data', 'dr-data', undefined], tables: ['prod-ha', undefined] };
const ok = { name: 'q-1', bucket: 'vault-quarantine-1' };

describe('refuseRecoveryTarget', () => {
  it('Given a quarantine bucket with no table or a table of its own, When checked, Then it is accepted', () => {
    expect(refuseRecoveryTarget(ok, live)).toBeUndefined();
    expect(refuseRecoveryTarget({ ...ok, lockTable: 'vault-quarantine-ha' }, live)).toBeUndefined();
  });

  it('Given a live data bucket of either region, When checked, Then it is refused as live', () => {
    for (const bucket of ['prod-data', 'dr-data'])
      expect(refuseRecoveryTarget({ ...ok, bucket }, live)).toBe(
        `${bucket} is a live data bucket: a recovery node runs only on a quarantine copy`,
      );
  });

  it('Given a live lock table, When checked, Then it is refused as live', () => {
    expect(refuseRecoveryTarget({ ...ok, lockTable: 'prod-ha' }, live)).toMatch(
      /^prod-ha is a live HA lock table/,
    );
  });

  it('Given a path-like, upper-case, over-long or non-string name, When checked, Then each is refused naming the rule', () => {
    for (const name of ['../x', 'Q1', '-q', 'q'.repeat(32), '', 7, undefined])
      expect(refuseRecoveryTarget({ ...ok, name }, live)).toMatch(
        /must be lowercase letters, digits and dashes \(≤ 31\)$/,
      );
    expect(refuseRecoveryTarget({ ...ok, name: 'q'.repeat(31) }, live)).toBeUndefined();
  });

  it('Given a bucket or table name AWS would not take, When checked, Then each is refused as not a name', () => {
    for (const bucket of ['A b', 'ab', '-abc', 'abc-', 'a/b', 3])
      expect(refuseRecoveryTarget({ ...ok, bucket }, live)).toMatch(/is not an S3 bucket name$/);
    for (const lockTable of ['ab', 'a b', 'x;y', ''])
      expect(refuseRecoveryTarget({ ...ok, lockTable }, live)).toMatch(
        /is not a DynamoDB table name$/,
      );
  });
});
