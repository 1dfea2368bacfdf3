import { expect, it } from 'vitest';
import type { AwsPort } from '../engine/aws.js';

export interface S3ContractWorld {
  readonly aws: AwsPort;
  readonly region: string;
  /** A versioned bucket and a key with two versions or more; the contract copies on top once. */
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

  it('Given an old version, When copied to a new bucket and on top of itself in the versioned source, Then the copies carry its content and the source keeps its history', async () => {
    const { aws, region, source, scratch } = world();
    const listSource = async () =>
      (await aws.listObjectVersions(source.bucket, region, signal(), source.key))
        .filter((v) => v.key === source.key && !v.deleteMarker)
        .sort((a, b) => a.lastModified.localeCompare(b.lastModified));
    const src = await listSource();
    expect(src.length).toBeGreaterThanOrEqual(2);
    const old = src[0]!;
    const from = { bucket: source.bucket, key: source.key, versionId: old.versionId };
    // A new bucket has no versioning (S3 and MinIO alike): a second copy replaces the first.
    await aws.copyObjectVersion(from, { bucket: scratch, key: source.key }, region, signal());
    await aws.copyObjectVersion(from, { bucket: scratch, key: source.key }, region, signal());
    const copies = await aws.listObjectVersions(scratch, region, signal(), source.key);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ isLatest: true, etag: old.etag, size: old.size });
    // In the versioned source, a copy on top is a new latest version and the older ones stay.
    const top = await aws.copyObjectVersion(
      from,
      { bucket: source.bucket, key: source.key },
      region,
      signal(),
    );
    const after = await listSource();
    expect(after.map((v) => v.versionId)).toEqual(
      expect.arrayContaining([...src.map((v) => v.versionId), top.versionId]),
    );
    expect(after).toHaveLength(src.length + 1);
    expect(after.find((v) => v.isLatest)).toMatchObject({
      versionId: top.versionId,
      etag: old.etag,
    });
  });

  it('Given a key with several versions, When current objects are listed, Then each key once in key order with its newest ETag, and a cap stops the listing and says so', async () => {
    const { aws, region, source } = world();
    const versions = await aws.listObjectVersions(source.bucket, region, signal(), source.key);
    const newest = versions.find((v) => v.key === source.key && v.isLatest);
    const all = await aws.listObjects(source.bucket, region, signal());
    expect(all.truncated).toBe(false);
    const keys = all.objects.map((o) => o.key);
    expect(keys).toEqual([...new Set(keys)].sort());
    expect(all.objects.filter((o) => o.key === source.key)).toEqual([
      { key: source.key, etag: newest?.etag, lastModified: newest?.lastModified },
    ]);
    const capped = await aws.listObjects(source.bucket, region, signal(), { maxKeys: 1 });
    expect(capped).toEqual({ objects: all.objects.slice(0, 1), truncated: keys.length > 1 });
  });

  it('Given a cap of 0, a negative one, NaN, a fraction or Infinity, When current objects are listed, Then each is refused with one line naming maxKeys', async () => {
    const { aws, region, source } = world();
    for (const maxKeys of [0, -1, NaN, 1.5, Infinity])
      await expect(
        aws.listObjects(source.bucket, region, signal(), { maxKeys }),
        String(maxKeys),
      ).rejects.toThrow(/^listObjects: maxKeys must be a whole number of at least 1, or absent/);
  });

  it('Given a versioned bucket, When its history is read page by page, Then the pages together hold exactly the versions listed at once, each page done before the next', async () => {
    const { aws, region, source } = world();
    const all = await aws.listObjectVersions(source.bucket, region, signal());
    const paged: string[] = [];
    let inPage = false;
    await aws.eachObjectVersionPage(source.bucket, region, signal(), async (page) => {
      expect(inPage).toBe(false);
      inPage = true;
      await Promise.resolve();
      paged.push(...page.map((v) => `${v.key} ${v.versionId} ${String(v.isLatest)}`));
      inPage = false;
    });
    expect(paged.sort()).toEqual(
      all.map((v) => `${v.key} ${v.versionId} ${String(v.isLatest)}`).sort(),
    );
    expect(paged.length).toBeGreaterThanOrEqual(2);
  });

  it('Given a bucket with versions, When deleted, Then every version goes with it and it no longer exists', async () => {
    const { aws, region, scratch } = world();
    expect(await aws.deleteBucket(scratch, region, signal())).toEqual({ objects: 1 });
    expect(await aws.bucketExists(scratch, region, signal())).toBe(false);
  });
}
