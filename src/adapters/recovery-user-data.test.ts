import { describe, expect, it } from 'vitest';
import { recoveryUserData } from './recovery-user-data.js';

const cluster = JSON.stringify({
  cluster_name: 'prod',
  role: 'primary',
  s3_bucket: 'prod-data',
  s3_path: 'vault/',
  kms_key_id: 'arn:aws:kms:us-east-1:111122223333:key/1',
  dynamodb_table: 'prod-ha',
  tls_cert_parameter: '/vault/prod/tls/cert',
  tls_key_parameter: '/vault/prod/tls/key',
  x_forwarded_for_cidrs: ['10.0.1.0/24'],
});

describe('recoveryUserData (the launch template’s user-data made a recovery node’s)', () => {
  it('Given the terraform module’s user-data, When made a recovery node’s, Then it has role recovery, the quarantine bucket, no lock table and no load balancer, and keeps the rest', () => {
    const d = JSON.parse(recoveryUserData(cluster, 'vault-quarantine-r1', 'q-r1')) as Record<
      string,
      unknown
    >;
    expect(d).toEqual({
      cluster_name: 'prod-recovery-q-r1',
      role: 'recovery',
      s3_bucket: 'vault-quarantine-r1',
      s3_path: 'vault/',
      kms_key_id: 'arn:aws:kms:us-east-1:111122223333:key/1',
      tls_cert_parameter: '/vault/prod/tls/cert',
      tls_key_parameter: '/vault/prod/tls/key',
      x_forwarded_for_cidrs: [],
    });
  });

  it('Given a launch template without JSON user-data, When made a recovery node’s, Then it is a usage error saying why', () => {
    for (const base of [undefined, '#!/bin/bash\necho hi', '[1]', '{}'])
      expect(() => recoveryUserData(base, 'q', 'n')).toThrow(/user-data|cluster_name/);
  });
});
