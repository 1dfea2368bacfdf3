import { describe, expect, it } from 'vitest';
import { refuseRecoveryUserData } from './recovery-instances.js';

const ok = {
  cluster_name: 'sandbox-recovery-q1',
  role: 'recovery',
  s3_bucket: 'vault-quarantine-q1',
  kms_key_id: 'arn:aws:kms:us-east-1:123456789012:key/1',
  tls_cert_parameter: '/vault/tls/cert',
  tls_key_parameter: '/vault/tls/key',
};

describe('the sandbox booting a recovery instance (what vault-render-config would accept)', () => {
  it('Given a recovery node’s user-data, When checked, Then it boots', () => {
    expect(refuseRecoveryUserData(JSON.stringify(ok))).toBeUndefined();
  });

  it('Given a cluster role, a lock table, a missing bucket or no JSON, When checked, Then it is refused and says why', () => {
    expect(refuseRecoveryUserData(JSON.stringify({ ...ok, role: 'primary' }))).toMatch(
      /not recovery/,
    );
    expect(refuseRecoveryUserData(JSON.stringify({ ...ok, dynamodb_table: 'live-ha' }))).toMatch(
      /takes no dynamodb_table/,
    );
    expect(refuseRecoveryUserData(JSON.stringify({ ...ok, s3_bucket: '' }))).toMatch(
      /lacks s3_bucket/,
    );
    expect(refuseRecoveryUserData('#!/bin/bash')).toMatch(/not a JSON object/);
  });
});
