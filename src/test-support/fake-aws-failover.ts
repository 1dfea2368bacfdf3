import type {
  AsgDescription,
  AwsPort,
  DnsChange,
  DnsRecord,
  FailoverAwsPort,
  HaLock,
  ObjectListing,
  ObjectVersion,
  ReplicationLink,
} from '../engine/aws.js';
import { currentListing } from './fake-listing.js';

interface Obj {
  readonly versionId: string;
  readonly body?: Uint8Array;
  readonly etag?: string;
  readonly at: string;
  readonly deleteMarker: boolean;
}

/**
 * Two regions of AWS in memory for the failover actions' unit tests: ASGs, versioned buckets,
 * lock tables, one Route 53 zone. `down` makes a region's APIs fail like an outage.
 */
export class FakeAws implements AwsPort, FailoverAwsPort {
  readonly calls: string[] = [];
  readonly asgs = new Map<string, { region: string; min: number; desired: number; max: number }>();
  readonly buckets = new Map<string, Map<string, Obj[]>>();
  readonly tables = new Map<string, HaLock | undefined>();
  readonly records = new Map<string, DnsRecord>();
  readonly down = new Set<string>();
  replication: ReplicationLink = { enabled: false, detail: 'paused' };
  #seq = 0;

  #reach(region: string, what: string): void {
    this.calls.push(what);
    if (this.down.has(region)) throw new Error(`${what}: connect ETIMEDOUT (${region})`);
  }

  put(bucket: string, key: string, content: string, at = new Date().toISOString()): string {
    const b = this.buckets.get(bucket) ?? new Map<string, Obj[]>();
    this.buckets.set(bucket, b);
    const versionId = `v${++this.#seq}`;
    b.set(key, [
      { versionId, body: Buffer.from(content), etag: `"${content}"`, at, deleteMarker: false },
      ...(b.get(key) ?? []),
    ]);
    return versionId;
  }

  // The S3 secret recovery calls (AwsPort), kept on this fake's own state.
  scaleAsg(
    name: string,
    desired: number,
    region: string,
    _s: AbortSignal,
    min?: number,
  ): Promise<void> {
    this.#reach(region, `scaleAsg ${name} ${desired}`);
    const g = this.asgs.get(name);
    if (!g || g.region !== region) return Promise.reject(new Error(`no ASG ${name} in ${region}`));
    this.asgs.set(name, { ...g, desired, ...(min !== undefined ? { min } : {}) });
    return Promise.resolve();
  }

  copyObjectVersion(
    from: { readonly bucket: string; readonly key: string; readonly versionId: string },
    to: { readonly bucket: string; readonly key: string },
    region: string,
  ): Promise<{ readonly versionId: string }> {
    this.#reach(region, `copyObjectVersion ${from.bucket}/${from.key}`);
    const src = this.buckets
      .get(from.bucket)
      ?.get(from.key)
      ?.find((o) => o.versionId === from.versionId);
    if (!src || src.deleteMarker)
      return Promise.reject(new Error(`no version ${from.versionId} of ${from.key}`));
    const b = this.buckets.get(to.bucket);
    if (!b) return Promise.reject(new Error(`NoSuchBucket: ${to.bucket}`));
    const versionId = `v${++this.#seq}`;
    b.set(to.key, [{ ...src, versionId, at: new Date().toISOString() }, ...(b.get(to.key) ?? [])]);
    return Promise.resolve({ versionId });
  }

  bucketExists(bucket: string, region: string): Promise<boolean> {
    this.#reach(region, `bucketExists ${bucket}`);
    return Promise.resolve(this.buckets.has(bucket));
  }

  createBucket(bucket: string, region: string): Promise<void> {
    this.#reach(region, `createBucket ${bucket}`);
    if (this.buckets.has(bucket))
      return Promise.reject(new Error(`BucketAlreadyOwnedByYou: ${bucket}`));
    this.buckets.set(bucket, new Map());
    return Promise.resolve();
  }

  deleteBucket(bucket: string, region: string): Promise<{ objects: number }> {
    this.#reach(region, `deleteBucket ${bucket}`);
    const b = this.buckets.get(bucket);
    if (!b) return Promise.reject(new Error(`NoSuchBucket: ${bucket}`));
    let objects = 0;
    for (const v of b.values()) objects += v.length;
    this.buckets.delete(bucket);
    return Promise.resolve({ objects });
  }

  describeAsg(name: string, region: string): Promise<AsgDescription | undefined> {
    this.#reach(region, `describeAsg ${name}`);
    const g = this.asgs.get(name);
    if (!g || g.region !== region) return Promise.resolve(undefined);
    return Promise.resolve({
      name,
      desired: g.desired,
      min: g.min,
      max: g.max,
      instances: Array.from({ length: g.desired }, (_, i) => ({
        instanceId: `i-${name}-${i}`,
        az: `${region}a`,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
      })),
    });
  }

  describeInstances(): Promise<never[]> {
    return Promise.resolve([]);
  }

  listObjectVersions(bucket: string, region: string): Promise<ObjectVersion[]> {
    this.#reach(region, `list ${bucket}`);
    const b = this.buckets.get(bucket);
    if (!b) return Promise.reject(new Error(`NoSuchBucket ${bucket}`));
    return Promise.resolve(
      [...b.entries()].flatMap(([key, vs]) =>
        vs.map((o, i) => ({
          key,
          versionId: o.versionId,
          isLatest: i === 0,
          lastModified: o.at,
          size: o.body?.length ?? 0,
          ...(o.etag ? { etag: o.etag } : {}),
          deleteMarker: o.deleteMarker,
        })),
      ),
    );
  }

  async eachObjectVersionPage(
    bucket: string,
    region: string,
    _signal: AbortSignal,
    onPage: (page: readonly ObjectVersion[]) => Promise<void>,
  ): Promise<void> {
    await onPage(await this.listObjectVersions(bucket, region));
  }

  async listObjects(
    bucket: string,
    region: string,
    _signal: AbortSignal,
    opts?: { readonly prefix?: string; readonly maxKeys?: number },
  ): Promise<ObjectListing> {
    return currentListing(await this.listObjectVersions(bucket, region), opts);
  }

  setAsgCapacity(
    name: string,
    region: string,
    cap: { min: number; desired: number; max: number },
  ): Promise<void> {
    this.#reach(region, `setAsgCapacity ${name} ${cap.desired}`);
    this.asgs.set(name, { region, ...cap });
    return Promise.resolve();
  }

  describeTable(name: string, region: string): Promise<{ status: string } | undefined> {
    this.#reach(region, `describeTable ${name}`);
    return Promise.resolve(this.tables.has(name) ? { status: 'ACTIVE' } : undefined);
  }

  readHaLock(table: string, region: string): Promise<HaLock | undefined> {
    this.#reach(region, `readHaLock ${table}`);
    return Promise.resolve(this.tables.get(table));
  }

  getObject(bucket: string, region: string, key: string, versionId: string): Promise<Uint8Array> {
    this.#reach(region, `get ${bucket}/${key}`);
    const o = this.buckets
      .get(bucket)
      ?.get(key)
      ?.find((x) => x.versionId === versionId);
    if (!o?.body) return Promise.reject(new Error(`NoSuchVersion ${key} ${versionId}`));
    return Promise.resolve(o.body);
  }

  putObject(bucket: string, region: string, key: string, body: Uint8Array): Promise<string> {
    this.#reach(region, `put ${bucket}/${key}`);
    return Promise.resolve(this.put(bucket, key, Buffer.from(body).toString()));
  }

  deleteObject(bucket: string, region: string, key: string): Promise<string> {
    this.#reach(region, `delete ${bucket}/${key}`);
    const b = this.buckets.get(bucket) ?? new Map<string, Obj[]>();
    const versionId = `m${++this.#seq}`;
    b.set(key, [
      { versionId, at: new Date().toISOString(), deleteMarker: true },
      ...(b.get(key) ?? []),
    ]);
    return Promise.resolve(versionId);
  }

  dnsRecord(_zone: string, name: string): Promise<DnsRecord | undefined> {
    this.calls.push(`dnsRecord ${name}`);
    return Promise.resolve(this.records.get(name.replace(/\.$/, '')));
  }

  dnsUpsert(_zone: string, record: DnsRecord): Promise<DnsChange> {
    this.calls.push(`dnsUpsert ${record.values.join(',')}`);
    this.records.set(record.name.replace(/\.$/, ''), record);
    return Promise.resolve({ id: `/change/C${++this.#seq}`, status: 'PENDING' });
  }

  dnsChange(id: string): Promise<DnsChange> {
    return Promise.resolve({ id, status: 'INSYNC' });
  }

  replicationLink(): Promise<ReplicationLink> {
    return Promise.resolve(this.replication);
  }

  resumeReplication(bucket: string): Promise<string> {
    this.calls.push(`resumeReplication ${bucket}`);
    this.replication = { enabled: true, detail: 'enabled' };
    return Promise.resolve('enabled');
  }
}
