import { describe } from 'vitest';
import { s3RecoveryContract } from './aws-s3-contract.js';
import { FakeAws } from './fake-aws.js';

const aws = new FakeAws();
aws.put('data', 'logical/u/app', 'old');
aws.put('data', 'logical/u/app', 'newer');

describe('FakeAws meets the S3 recovery contract', () => {
  s3RecoveryContract(() => ({
    aws,
    region: 'us-east-1',
    source: { bucket: 'data', key: 'logical/u/app' },
    scratch: 'vault-contract-scratch',
  }));
});
