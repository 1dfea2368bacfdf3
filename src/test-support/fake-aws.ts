import {
  listingCap,
  type AsgDescription,
  type AwsPort,
  type Ec2Instance,
  type ObjectListing,
  type ObjectVersion,
} from '../engine/aws.js';
import { currentListing } from './fake-listing.js';

interface StoredVersion {
  readonly versionId: string;
  readonly lastModified: string;
  readonly body: string;
  readonly deleteMarker: boolean;
}

/**
 * An in-memory versioned S3 and one Auto Scaling group, for unit tests of the S3 recovery
 * actions. Versions are kept newest last per key, as S3 keeps them; a delete adds a marker.
 * `onScale` lets a test stop and start its fake Vault nodes the way the ASG would.
 */
export class FakeAws implements AwsPort {
  readonly buckets = new Map<string, Map<string, StoredVersion[]>>();
  readonly calls: string[] = [];
  asg: AsgDescription = { name: 'vault-primary', desired: 3, min: 0, max: 6, instances: [] };
  onScale: (desired: number) => void = () => undefined;
  /** Buckets made with createBucket: no versioning, as S3 and MinIO make a new bucket. */
  readonly #unversioned = new Set<string>();
  #seq = 0;
  #clock = Date.parse('2026-01-01T00:00:00Z');

  #bucket(name: string): Map<string, StoredVersion[]> {
    const b = this.buckets.get(name);
    if (!b) throw Object.assign(new Error(`NoSuchBucket: ${name}`), { name: 'NoSuchBucket' });
    return b;
  }

  #add(bucket: string, key: string, body: string, deleteMarker: boolean): string {
    const b = this.#bucket(bucket);
    const unversioned = this.#unversioned.has(bucket);
    const versionId = unversioned ? 'null' : `v${++this.#seq}`;
    this.#clock += 1000;
    const list = unversioned ? [] : (b.get(key) ?? []);
    list.push({
      versionId,
      lastModified: new Date(this.#clock).toISOString(),
      body,
      deleteMarker,
    });
    b.set(key, list);
    return versionId;
  }

  put(bucket: string, key: string, body: string): string {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    return this.#add(bucket, key, body, false);
  }

  remove(bucket: string, key: string): string {
    return this.#add(bucket, key, '', true);
  }

  /** The body of the newest version, undefined when absent or deleted. */
  current(bucket: string, key: string): string | undefined {
    const last = this.buckets.get(bucket)?.get(key)?.at(-1);
    return last && !last.deleteMarker ? last.body : undefined;
  }

  describeAsg(name: string): Promise<AsgDescription | undefined> {
    return Promise.resolve(name === this.asg.name ? this.asg : undefined);
  }

  /** EC2's view of the instances (state, IP, tags), for tests that read more than the ASG. */
  instances: Ec2Instance[] = [];

  describeInstances(ids: readonly string[]): Promise<Ec2Instance[]> {
    return Promise.resolve(this.instances.filter((i) => ids.includes(i.instanceId)));
  }

  listObjectVersions(bucket: string, _r: string, _s: AbortSignal, prefix?: string) {
    const out: ObjectVersion[] = [];
    for (const [key, list] of this.#bucket(bucket)) {
      if (prefix && !key.startsWith(prefix)) continue;
      list.forEach((v, i) =>
        out.push({
          key,
          versionId: v.versionId,
          isLatest: i === list.length - 1,
          lastModified: v.lastModified,
          size: v.body.length,
          ...(v.deleteMarker ? {} : { etag: `"${v.body}"` }),
          deleteMarker: v.deleteMarker,
        }),
      );
    }
    return Promise.resolve(out);
  }

  /** Pages of `pageSize` versions (S3's are 1000; a test makes them small). */
  pageSize = 1000;
  async eachObjectVersionPage(
    bucket: string,
    r: string,
    s: AbortSignal,
    onPage: (page: readonly ObjectVersion[]) => Promise<void>,
  ) {
    const all = await this.listObjectVersions(bucket, r, s);
    for (let i = 0; i < all.length; i += this.pageSize)
      await onPage(all.slice(i, i + this.pageSize));
  }

  /** Current objects: each key's newest version unless it is a delete marker. */
  // eslint-disable-next-line @typescript-eslint/require-await -- async: a bad cap rejects, as S3's does
  async listObjects(
    bucket: string,
    _r: string,
    _s: AbortSignal,
    opts?: { readonly prefix?: string; readonly maxKeys?: number },
  ): Promise<ObjectListing> {
    // A bad cap rejects (listingCap) as the S3 adapter's does, before anything is read.
    listingCap(opts?.maxKeys);
    const latest: ObjectVersion[] = [];
    for (const [key, list] of this.#bucket(bucket)) {
      const v = list.at(-1);
      if (!v || v.deleteMarker) continue;
      latest.push({
        key,
        versionId: v.versionId,
        isLatest: true,
        lastModified: v.lastModified,
        size: v.body.length,
        etag: `"${v.body}"`,
        deleteMarker: false,
      });
    }
    return currentListing(latest, opts);
  }

  scaleAsg(name: string, desired: number, _r: string, _s: AbortSignal, min?: number) {
    this.calls.push(`scale ${name} ${desired}`);
    this.asg = {
      ...this.asg,
      desired,
      ...(min !== undefined ? { min } : {}),
      instances: Array.from({ length: desired }, (_, i) => ({
        instanceId: `i-${this.#seq}-${i}`,
        az: 'us-east-1a',
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
      })),
    };
    this.onScale(desired);
    return Promise.resolve();
  }

  copyObjectVersion(
    from: { bucket: string; key: string; versionId: string },
    to: { bucket: string; key: string },
  ) {
    this.calls.push(`copy ${from.bucket}/${from.key}@${from.versionId} → ${to.bucket}/${to.key}`);
    const v = this.#bucket(from.bucket)
      .get(from.key)
      ?.find((x) => x.versionId === from.versionId);
    if (!v || v.deleteMarker) return Promise.reject(new Error(`NoSuchVersion ${from.versionId}`));
    return Promise.resolve({ versionId: this.#add(to.bucket, to.key, v.body, false) });
  }

  bucketExists(bucket: string) {
    return Promise.resolve(this.buckets.has(bucket));
  }

  createBucket(bucket: string) {
    this.calls.push(`create-bucket ${bucket}`);
    if (this.buckets.has(bucket)) return Promise.reject(new Error('BucketAlreadyOwnedByYou'));
    this.buckets.set(bucket, new Map());
    this.#unversioned.add(bucket);
    return Promise.resolve();
  }

  deleteBucket(bucket: string) {
    this.calls.push(`delete-bucket ${bucket}`);
    const b = this.#bucket(bucket);
    const objects = [...b.values()].reduce((n, l) => n + l.length, 0);
    this.buckets.delete(bucket);
    this.#unversioned.delete(bucket);
    return Promise.resolve({ objects });
  }
}
