import { describe, expect, it } from 'vitest';
import type { AwsClients } from './clients.js';
import { bucketExists } from './s3.js';

/**
 * HeadBucket as S3 answers it for a bucket of another account that lets this one in: 200
 * without ExpectedBucketOwner, 403 with it. MinIO has no accounts (the header means nothing to
 * it) and moto was not checked for it, so the owner check is tested here, with the SDK's error
 * shape; the sandbox run only shows the header does no harm there.
 */
function s3Owning(owner: string): AwsClients & { heads: (string | undefined)[] } {
  const heads: (string | undefined)[] = [];
  const client = {
    send(cmd: { input: { Bucket: string; ExpectedBucketOwner?: string } }) {
      heads.push(cmd.input.ExpectedBucketOwner);
      const want = cmd.input.ExpectedBucketOwner;
      if (want && want !== owner)
        return Promise.reject(
          Object.assign(new Error('Forbidden'), {
            name: 'Forbidden',
            $fault: 'client',
            $metadata: { httpStatusCode: 403 },
          }),
        );
      return Promise.resolve({});
    },
  };
  return Object.assign(
    {
      s3: async () => ({ sdk: await import('@aws-sdk/client-s3'), client }),
    } as unknown as AwsClients,
    { heads },
  );
}

const signal = () => AbortSignal.timeout(5_000);

describe('bucketExists and the bucket owner', () => {
  it('Given a bucket of another account that answers, When asked with the expected owner, Then it is an error naming the account, never "exists"', async () => {
    const aws = s3Owning('999988887777');
    await expect(
      bucketExists(aws, 'vault-quarantine-x', 'us-east-1', signal(), '111122223333'),
    ).rejects.toThrow(/not owned by account 111122223333.*refusing/);
    expect(aws.heads).toEqual(['111122223333']);
  });

  it('Given a bucket of this account, When asked with the expected owner, Then it exists', async () => {
    const aws = s3Owning('111122223333');
    await expect(
      bucketExists(aws, 'vault-quarantine-x', 'us-east-1', signal(), '111122223333'),
    ).resolves.toBe(true);
  });
});
