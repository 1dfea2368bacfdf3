import type {
  ListObjectsV2CommandOutput,
  ListObjectVersionsCommandOutput,
} from '@aws-sdk/client-s3';
import {
  listingCap,
  type CurrentObject,
  type ObjectListing,
  type ObjectVersion,
  type ReplicationLink,
} from '../../engine/aws.js';
import type { AwsClients } from './clients.js';

// S3: the data buckets (replication lag, failover's fence object, the secret recovery's
// versions and quarantine buckets).

export async function listObjectVersions(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
  prefix?: string,
): Promise<ObjectVersion[]> {
  const all: ObjectVersion[] = [];
  await eachObjectVersionPage(
    aws,
    bucket,
    region,
    signal,
    (p) => (all.push(...p), Promise.resolve()),
    prefix,
  );
  return all;
}

/** The version history one S3 page at a time: `onPage` is done with a page before the next. */
export async function eachObjectVersionPage(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
  onPage: (page: readonly ObjectVersion[]) => Promise<void>,
  prefix?: string,
): Promise<void> {
  const { sdk, client } = await aws.s3(region);
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const r: ListObjectVersionsCommandOutput = await client.send(
      new sdk.ListObjectVersionsCommand({
        Bucket: bucket,
        ...(prefix ? { Prefix: prefix } : {}),
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
      { abortSignal: signal },
    );
    const out: ObjectVersion[] = [];
    for (const v of r.Versions ?? [])
      out.push({
        key: v.Key ?? '',
        versionId: v.VersionId ?? 'null',
        isLatest: v.IsLatest ?? false,
        lastModified: v.LastModified?.toISOString() ?? '',
        size: v.Size ?? 0,
        ...(v.ETag ? { etag: v.ETag } : {}),
        deleteMarker: false,
      });
    for (const d of r.DeleteMarkers ?? [])
      out.push({
        key: d.Key ?? '',
        versionId: d.VersionId ?? 'null',
        isLatest: d.IsLatest ?? false,
        lastModified: d.LastModified?.toISOString() ?? '',
        size: 0,
        deleteMarker: true,
      });
    await onPage(out);
    if (!r.IsTruncated) return;
    keyMarker = r.NextKeyMarker;
    versionMarker = r.NextVersionIdMarker;
  }
}

/** S3's own page limit for ListObjectsV2. */
const PAGE = 1000;

export async function listObjects(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
  opts: { readonly prefix?: string; readonly maxKeys?: number } = {},
): Promise<ObjectListing> {
  const max = listingCap(opts.maxKeys);
  const { sdk, client } = await aws.s3(region);
  const objects: CurrentObject[] = [];
  let token: string | undefined;
  for (;;) {
    const r: ListObjectsV2CommandOutput = await client.send(
      new sdk.ListObjectsV2Command({
        Bucket: bucket,
        ...(opts.prefix ? { Prefix: opts.prefix } : {}),
        ...(token ? { ContinuationToken: token } : {}),
        // Never ask for more than the cap leaves: the last page stops at the cap.
        MaxKeys: Math.min(PAGE, max - objects.length),
      }),
      { abortSignal: signal },
    );
    for (const o of r.Contents ?? [])
      objects.push({
        key: o.Key ?? '',
        lastModified: o.LastModified?.toISOString() ?? '',
        ...(o.ETag ? { etag: o.ETag } : {}),
      });
    if (!r.IsTruncated || !r.NextContinuationToken) return { objects, truncated: false };
    if (objects.length >= max) return { objects, truncated: true };
    token = r.NextContinuationToken;
  }
}

export async function getObject(
  aws: AwsClients,
  bucket: string,
  region: string,
  key: string,
  versionId: string,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const { sdk, client } = await aws.s3(region);
  const r = await client.send(
    new sdk.GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    { abortSignal: signal },
  );
  return (await r.Body?.transformToByteArray()) ?? new Uint8Array();
}

export async function putObject(
  aws: AwsClients,
  bucket: string,
  region: string,
  key: string,
  body: Uint8Array,
  signal: AbortSignal,
): Promise<string> {
  const { sdk, client } = await aws.s3(region);
  const r = await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body }), {
    abortSignal: signal,
  });
  return r.VersionId ?? 'null';
}

export async function deleteObject(
  aws: AwsClients,
  bucket: string,
  region: string,
  key: string,
  signal: AbortSignal,
): Promise<string> {
  const { sdk, client } = await aws.s3(region);
  const r = await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }), {
    abortSignal: signal,
  });
  return r.VersionId ?? 'null';
}

/** The bucket's CRR rules as S3 reports them. */
export async function replicationLink(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
): Promise<ReplicationLink> {
  const { sdk, client } = await aws.s3(region);
  try {
    const r = await client.send(new sdk.GetBucketReplicationCommand({ Bucket: bucket }), {
      abortSignal: signal,
    });
    const rules = r.ReplicationConfiguration?.Rules ?? [];
    const off = rules.filter((x) => x.Status !== 'Enabled');
    return rules.length > 0 && off.length === 0
      ? { enabled: true, detail: `${rules.length} replication rule(s) enabled` }
      : {
          enabled: false,
          detail: rules.length ? `${off.length} rule(s) disabled` : 'no replication rule',
        };
  } catch (err) {
    if ((err as { name?: string }).name === 'ReplicationConfigurationNotFoundError')
      return { enabled: false, detail: 'no replication configuration' };
    throw err;
  }
}

export async function resumeReplication(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
): Promise<string> {
  const { sdk, client } = await aws.s3(region);
  const r = await client.send(new sdk.GetBucketReplicationCommand({ Bucket: bucket }), {
    abortSignal: signal,
  });
  const cfg = r.ReplicationConfiguration;
  if (!cfg?.Rules?.length)
    throw new Error(
      `${bucket} has no replication rule to resume: re-apply the terraform module (it owns the CRR rule)`,
    );
  await client.send(
    new sdk.PutBucketReplicationCommand({
      Bucket: bucket,
      ReplicationConfiguration: {
        ...cfg,
        Rules: cfg.Rules.map((x) => ({ ...x, Status: 'Enabled' })),
      },
    }),
    { abortSignal: signal },
  );
  return `${cfg.Rules.length} replication rule(s) of ${bucket} enabled`;
}

export async function copyObjectVersion(
  aws: AwsClients,
  from: { readonly bucket: string; readonly key: string; readonly versionId: string },
  to: { readonly bucket: string; readonly key: string },
  region: string,
  signal: AbortSignal,
): Promise<{ readonly versionId: string }> {
  const { sdk, client } = await aws.s3(region);
  // CopySource is "bucket/key?versionId=…" with the key URL-encoded (slashes kept).
  const key = encodeURIComponent(from.key).replace(/%2F/g, '/');
  const r = await client.send(
    new sdk.CopyObjectCommand({
      Bucket: to.bucket,
      Key: to.key,
      CopySource: `${from.bucket}/${key}?versionId=${encodeURIComponent(from.versionId)}`,
    }),
    { abortSignal: signal },
  );
  return { versionId: r.VersionId ?? 'null' };
}

export async function bucketExists(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
  expectedOwner?: string,
): Promise<boolean> {
  const { sdk, client } = await aws.s3(region);
  try {
    await client.send(
      new sdk.HeadBucketCommand({
        Bucket: bucket,
        ...(expectedOwner ? { ExpectedBucketOwner: expectedOwner } : {}),
      }),
      { abortSignal: signal },
    );
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    // S3 answers 403 when the bucket's owner is not the expected account.
    if (status === 403 && expectedOwner)
      throw new Error(
        `bucket ${bucket} exists but is not owned by account ${expectedOwner} (or this account may not read it): refusing to use it`,
      );
    throw err;
  }
}

export async function createBucket(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
): Promise<void> {
  const { sdk, client } = await aws.s3(region);
  await client.send(
    new sdk.CreateBucketCommand({
      Bucket: bucket,
      // us-east-1 is the one region that refuses an explicit location constraint.
      ...(region !== 'us-east-1'
        ? { CreateBucketConfiguration: { LocationConstraint: region as never } }
        : {}),
    }),
    { abortSignal: signal },
  );
}

export async function deleteBucket(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
): Promise<{ objects: number }> {
  const { sdk, client } = await aws.s3(region);
  const all = await listObjectVersions(aws, bucket, region, signal);
  for (let i = 0; i < all.length; i += 1000) {
    const batch = all.slice(i, i + 1000);
    const r = await client.send(
      new sdk.DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: batch.map((v) => ({
            Key: v.key,
            ...(v.versionId !== 'null' ? { VersionId: v.versionId } : {}),
          })),
          Quiet: true,
        },
      }),
      { abortSignal: signal },
    );
    const failed = r.Errors ?? [];
    if (failed.length > 0)
      throw new Error(
        `${bucket}: ${failed.length} object version(s) not deleted (first: ${failed[0]?.Key ?? '?'}: ${failed[0]?.Message ?? failed[0]?.Code ?? '?'})`,
      );
  }
  await client.send(new sdk.DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal });
  return { objects: all.length };
}

export async function bucketVersioning(
  aws: AwsClients,
  bucket: string,
  region: string,
  signal: AbortSignal,
): Promise<string> {
  const { sdk, client } = await aws.s3(region);
  const r = await client.send(new sdk.GetBucketVersioningCommand({ Bucket: bucket }), {
    abortSignal: signal,
  });
  return r.Status ?? 'Disabled';
}
