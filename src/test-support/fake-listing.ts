import {
  listingCap,
  type CurrentObject,
  type ObjectListing,
  type ObjectVersion,
} from '../engine/aws.js';

/**
 * ListObjectsV2 over a fake's versions, as S3 answers it: one entry per key whose newest
 * version is not a delete marker, in key order (S3 orders by UTF-8 bytes; the fakes' keys are
 * ASCII, where that is the string order), stopping at `maxKeys` with `truncated` set.
 */
export function currentListing(
  versions: readonly ObjectVersion[],
  opts: { readonly prefix?: string; readonly maxKeys?: number } = {},
): ObjectListing {
  const max = listingCap(opts.maxKeys);
  const current = versions
    .filter((v) => v.isLatest && !v.deleteMarker)
    .filter((v) => !opts.prefix || v.key.startsWith(opts.prefix))
    .map((v): CurrentObject => ({
      key: v.key,
      lastModified: v.lastModified,
      ...(v.etag ? { etag: v.etag } : {}),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects: current.slice(0, max), truncated: current.length > max };
}
