import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorMessage } from '../domain/errors.js';
import type { ReplicationRecord } from './state.js';

interface SourceVersion {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: number;
  readonly deleteMarker: boolean;
}

/** Metadata on every DR copy naming the primary version it came from (CRR keeps the id itself). */
export const SOURCE_VERSION_META = 'source-version-id';

async function listVersions(s3: S3Client, bucket: string, signal: AbortSignal) {
  const out: SourceVersion[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const r: ListObjectVersionsCommandOutput = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
      { abortSignal: signal },
    );
    for (const v of r.Versions ?? [])
      out.push({
        key: v.Key ?? '',
        versionId: v.VersionId ?? 'null',
        lastModified: v.LastModified?.getTime() ?? 0,
        deleteMarker: false,
      });
    for (const d of r.DeleteMarkers ?? [])
      out.push({
        key: d.Key ?? '',
        versionId: d.VersionId ?? 'null',
        lastModified: d.LastModified?.getTime() ?? 0,
        deleteMarker: true,
      });
    if (!r.IsTruncated) return out;
    keyMarker = r.NextKeyMarker;
    versionMarker = r.NextVersionIdMarker;
  }
}

/**
 * An EMULATION of S3 cross-region replication, not MinIO's own bucket replication: every new
 * object version (and delete marker) of the primary bucket is copied to the DR bucket once it
 * is at least `lagSeconds` old, oldest first. Like CRR it is asynchronous and not atomic across
 * objects, so the DR bucket can be a half-updated view. Unlike CRR, DR copies get new version
 * ids (the source id is kept in metadata). Why not MinIO's replication: its remote targets are
 * set through madmin's encrypted admin API, and it has no knob for a measurable lag.
 */
export class Replicator {
  lagSeconds = 0;
  /**
   * Why replication is paused, if it is: a region outage breaks the link, and it stays broken
   * after the region is back until someone re-establishes it (the failback runbook does), so
   * versions the primary never sent cannot land on a DR bucket that has taken writes since.
   */
  paused: string | undefined;
  readonly #done: Set<string>;
  #copied = 0;
  #lastCopyAt: string | undefined;
  #pending = 0;
  #oldestPending = 0;
  #error: string | undefined;

  constructor(
    private readonly src: { s3: S3Client; bucket: string },
    private readonly dst: { s3: S3Client; bucket: string },
    /** Where the ids already copied are kept, so an `up` after `down` does not copy twice. */
    private readonly doneFile: string,
  ) {
    let ids: string[] = [];
    try {
      if (existsSync(doneFile)) ids = JSON.parse(readFileSync(doneFile, 'utf8')) as string[];
    } catch {
      ids = [];
    }
    this.#done = new Set(ids);
  }

  async pass(signal: AbortSignal): Promise<void> {
    if (this.paused) return;
    try {
      const versions = await listVersions(this.src.s3, this.src.bucket, signal);
      const todo = versions
        .filter((v) => !this.#done.has(this.#id(v)))
        .sort((a, b) => a.lastModified - b.lastModified);
      const now = Date.now();
      let copiedNow = 0;
      for (const v of todo) {
        if (now - v.lastModified < this.lagSeconds * 1000) break;
        await this.#copy(v, signal);
        this.#done.add(this.#id(v));
        copiedNow++;
      }
      const left = todo.slice(copiedNow);
      this.#pending = left.length;
      this.#oldestPending = left[0]
        ? Math.max(0, Math.round((now - left[0].lastModified) / 1000))
        : 0;
      this.#error = undefined;
      if (copiedNow) {
        this.#copied += copiedNow;
        this.#lastCopyAt = new Date().toISOString();
        writeFileSync(this.doneFile, JSON.stringify([...this.#done]));
      }
    } catch (err) {
      if (signal.aborted) return;
      this.#error = errorMessage(err);
    }
  }

  #id(v: SourceVersion): string {
    return `${v.key}\u0000${v.versionId}`;
  }

  async #copy(v: SourceVersion, signal: AbortSignal): Promise<void> {
    const opts = { abortSignal: signal };
    if (v.deleteMarker) {
      await this.dst.s3.send(
        new DeleteObjectCommand({ Bucket: this.dst.bucket, Key: v.key }),
        opts,
      );
      return;
    }
    const got = await this.src.s3.send(
      new GetObjectCommand({ Bucket: this.src.bucket, Key: v.key, VersionId: v.versionId }),
      opts,
    );
    const body = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
    await this.dst.s3.send(
      new PutObjectCommand({
        Bucket: this.dst.bucket,
        Key: v.key,
        Body: body,
        ...(got.ContentType ? { ContentType: got.ContentType } : {}),
        Metadata: { ...got.Metadata, [SOURCE_VERSION_META]: v.versionId },
      }),
      opts,
    );
  }

  record(): ReplicationRecord {
    return {
      mode: 'emulated-crr',
      lagSetting: this.lagSeconds,
      ...(this.paused ? { paused: this.paused } : {}),
      pendingVersions: this.#pending,
      oldestPendingSeconds: this.#oldestPending,
      copiedVersions: this.#copied,
      ...(this.#lastCopyAt ? { lastCopyAt: this.#lastCopyAt } : {}),
      ...(this.#error ? { error: this.#error } : {}),
    };
  }
}
