import type { AwsClients } from './clients.js';

/**
 * A bucket policy on the quarantine bucket that lets the recovery role read and write it.
 * Nothing in IAM changes: the policy goes with the bucket when the quarantine is destroyed.
 */
export async function grantBucket(
  aws: AwsClients,
  region: string,
  bucket: string,
  roleArn: string,
  signal: AbortSignal,
): Promise<void> {
  const { sdk, client } = await aws.s3(region);
  const partition = roleArn.split(':')[1] ?? 'aws';
  const principal = { AWS: [roleArn] };
  await client.send(
    new sdk.PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'VaultRecoveryNodeObjects',
            Effect: 'Allow',
            Principal: principal,
            Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
            Resource: [`arn:${partition}:s3:::${bucket}/*`],
          },
          {
            Sid: 'VaultRecoveryNodeList',
            Effect: 'Allow',
            Principal: principal,
            Action: ['s3:ListBucket', 's3:GetBucketLocation'],
            Resource: [`arn:${partition}:s3:::${bucket}`],
          },
        ],
      }),
    }),
    { abortSignal: signal },
  );
}
