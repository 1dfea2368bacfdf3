import { expect, it } from 'vitest';
import type { AwsPort } from '../engine/aws.js';

export interface S3ContractWorld {
  readonly aws: AwsPort;
  readonly region: string;
  /** A bucket and key with two versions, oldest first; the contract never writes to it. */
  readonly source: { readonly bucket: string; readonly key: string };
  /** A name for a bucket the contract creates and deletes. */
  readonly scratch: string;
}

/**
 * What the S3 recovery runbook relies on from the AWS port, run against the in-memory FakeAws
 * and against the sandbox's real MinIO, so both behave alike.
 */
export function s3RecoveryContract(world: () => S3ContractWorld): void {
  const signal = () => AbortSignal.timeout(20_000);

  it('Given a new bucket name, When created, Then it exists and an unknown one does not', async () => {
    const { aws, region, scratch } = world();
    expect(await aws.bucketExists(scratch, region, signal())).toBe(false);
    await aws.createBucket(scratch, region, signal());
    expect(await aws.bucketExists(scratch, region, signal())).toBe(true);
  });

  it('Given an old version, When copied elsewhere and then on top of itself, Then the copies carry its content and the history stays', async () => {
    const { aws, region, source, scratch } = world();
    const src = (await aws.listObjectVersions(source.bucket, region, signal(), source.key))
      .filter((v) => v.key === source.key && !v.deleteMarker)
      .sort((a, b) => a.lastModified.localeCompare(b.lastModified));
    expect(src.length).toBeGreaterThanOrEqual(2);
    const old = src[0]!;
    const first = await aws.copyObjectVersion(
      { bucket: source.bucket, key: source.key, versionId: old.versionId },
      { bucket: scratch, key: source.key },
      region,
      signal(),
    );
    const second = await aws.copyObjectVersion(
      { bucket: scratch, key: source.key, versionId: first.versionId },
      { bucket: scratch, key: source.key },
      region,
      signal(),
    );
    const copies = await aws.listObjectVersions(scratch, region, signal(), source.key);
    expect(copies.map((v) => v.versionId).sort()).toEqual(
      [first.versionId, second.versionId].sort(),
    );
    const latest = copies.find((v) => v.isLatest);
    expect(latest?.versionId).toBe(second.versionId);
    expect(latest?.etag).toBe(old.etag);
    expect(latest?.size).toBe(old.size);
    // The source is only read.
    expect((await aws.listObjectVersions(source.bucket, region, signal(), source.key)).length).toBe(
      src.length,
    );
  });

  it('Given a bucket with versions, When deleted, Then every version goes with it and it no longer exists', async () => {
    const { aws, region, scratch } = world();
    expect(await aws.deleteBucket(scratch, region, signal())).toEqual({ objects: 2 });
    expect(await aws.bucketExists(scratch, region, signal())).toBe(false);
  });
}
