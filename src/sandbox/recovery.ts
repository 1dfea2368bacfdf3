import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { errorMessage } from '../domain/errors.js';
import { refuseRecoveryTarget } from '../domain/recovery-target.js';
import type { TlsFiles } from './certs.js';
import type { Clients } from './clients.js';
import type { ControlReply } from './control.js';
import { vaultHealth } from './http.js';
import { recoveryHost, REGION_KEYS, type Layout, type RegionKey } from './layout.js';
import { alive, sleep, startTicks, stopGroup } from './procs.js';
import { createLockTable } from './provision.js';
import type { ProcRecord } from './state.js';
import type { Tools } from './tools.js';
import { renderConfig, startServer } from './vault-node.js';

/**
 * An isolated recovery Vault (S3 quarantine, issue 12): one local server on a bucket of its
 * own, with its own HA lock table or none, never behind a load balancer. On AWS the runbook
 * would launch an instance of the same AMI with no route to production; here it is a process
 * the supervisor owns (so `sandbox down` stops it and a killed CLI can find it again).
 */
export interface RecoveryNodeRequest {
  /** Names the node (and its data dir): lowercase letters, digits and dashes. */
  readonly name: string;
  /** An existing bucket in the region's S3, never a live data bucket. */
  readonly bucket: string;
  /** Whose S3 holds the bucket (default primary). */
  readonly region?: RegionKey;
  /**
   * Its own DynamoDB HA lock table: created when absent (and then deleted when the node is
   * destroyed), never a live table. Absent: a single node without HA, as the S3 backend has none.
   */
  readonly lockTable?: string;
  /** Default: the version the region's nodes run, else the sandbox's default. */
  readonly vaultVersion?: string;
}

export interface RecoveryNodeInfo {
  readonly name: string;
  readonly address: string;
  readonly caFile: string;
  readonly bucket: string;
  readonly region: RegionKey;
  readonly lockTable?: string;
  /** The sandbox created the table for this node, so destroying the node deletes it. */
  readonly lockTableCreated: boolean;
  readonly version: string;
  readonly pid: number;
  readonly startedAt: string;
}

export interface RecoveryStopResult {
  readonly name: string;
  /** False: there was no such node (already destroyed — a resumed cleanup is not an error). */
  readonly stopped: boolean;
  readonly lockTableDeleted?: string;
}

/** Why a request is refused (a usage error), or undefined. Never a live bucket or lock table. */
export function refuseRecovery(
  l: Layout,
  req: RecoveryNodeRequest,
  taken: ReadonlySet<string>,
): string | undefined {
  const live = REGION_KEYS.map((k) => l.regions[k]);
  const why = refuseRecoveryTarget(req, {
    buckets: live.map((r) => r.bucket),
    tables: live.map((r) => r.table),
  });
  if (why) return why;
  if (taken.has(req.name)) return `a recovery node '${req.name}' is running already`;
  if (req.region !== undefined && !(REGION_KEYS as readonly string[]).includes(req.region))
    return `unknown region '${String(req.region)}' (one of ${REGION_KEYS.join(', ')})`;
  return undefined;
}

interface Running {
  readonly info: RecoveryNodeInfo;
  readonly ticks: number | undefined;
  readonly bin: string;
  readonly slot: number;
}

export interface RecoveryHooks {
  log(message: string): void;
  changed(): void;
  /** The Vault version the region's ASG nodes run now, if any. */
  regionVersion(region: RegionKey): string | undefined;
  readonly defaultVersion: string;
}

export class RecoveryNodes {
  readonly #nodes = new Map<string, Running>();

  constructor(
    private readonly l: Layout,
    private readonly clients: Clients,
    private readonly tools: Tools,
    private readonly tls: TlsFiles,
    private readonly hooks: RecoveryHooks,
  ) {}

  list(): RecoveryNodeInfo[] {
    return [...this.#nodes.values()].map((n) => n.info);
  }

  async start(req: RecoveryNodeRequest, signal: AbortSignal): Promise<ControlReply> {
    const usage = (error: string): ControlReply => ({ ok: false, usage: true, error });
    const why = refuseRecovery(this.l, req, new Set(this.#nodes.keys()));
    if (why) return usage(why);
    const region = req.region ?? 'primary';
    const version =
      req.vaultVersion ?? this.hooks.regionVersion(region) ?? this.hooks.defaultVersion;
    const bin = this.tools.vault.get(version);
    if (!bin)
      return usage(
        `Vault ${version} is not built here (built: ${[...this.tools.vault.keys()].join(', ')})`,
      );
    const used = new Set([...this.#nodes.values()].map((n) => n.slot));
    let slot = 1;
    while (used.has(slot)) slot++;
    if (slot > this.l.maxRecoveryNodes)
      return { ok: false, error: `at most ${this.l.maxRecoveryNodes} recovery nodes at once` };
    const rc = this.clients.regions[region];
    try {
      await rc.s3.send(new HeadBucketCommand({ Bucket: req.bucket }), { abortSignal: signal });
    } catch (err) {
      return usage(`bucket ${req.bucket} is not there in ${region}: ${errorMessage(err)}`);
    }
    let created = false;
    if (req.lockTable) created = await createLockTable(rc, req.lockTable, signal);
    const host = recoveryHost(this.l, slot);
    const config = renderConfig(
      this.l,
      {
        comment: `recovery node ${req.name} on s3://${req.bucket} (${req.lockTable ? `own lock table ${req.lockTable}` : 'no HA'}), Vault ${version}`,
        host,
        region,
        bucket: req.bucket,
        ...(req.lockTable ? { haTable: req.lockTable } : {}),
        clusterName: `vault-sandbox-recovery-${req.name}`,
        tlsCertFile: this.tls.cert,
      },
      this.tls,
    );
    const started = startServer(this.l, {
      dir: join(this.l.dir, 'recovery', req.name),
      logName: `recovery-${req.name}`,
      bin,
      config,
    });
    const info: RecoveryNodeInfo = {
      name: req.name,
      address: `https://${host}:${this.l.vaultPort}`,
      caFile: this.tls.ca,
      bucket: req.bucket,
      region,
      ...(req.lockTable ? { lockTable: req.lockTable } : {}),
      lockTableCreated: created,
      version,
      pid: started.pid,
      startedAt: new Date().toISOString(),
    };
    this.#nodes.set(req.name, { info, ticks: startTicks(started.pid), bin, slot });
    this.hooks.changed();
    // Answer once the API answers (sealed, or uninitialized on an empty bucket), not before.
    const ca = readFileSync(this.tls.ca);
    const end = Date.now() + 30_000;
    while (!signal.aborted && Date.now() < end) {
      if (await vaultHealth(info.address, ca, undefined, 1_000)) {
        this.hooks.log(
          `recovery ${req.name}: Vault ${version} on ${info.address}, s3://${req.bucket}, ${req.lockTable ? `lock table ${req.lockTable}` : 'no HA'}`,
        );
        return { ok: true, message: `recovery node ${req.name} on ${info.address}`, data: info };
      }
      if (!alive(started.pid)) break;
      await sleep(200, signal);
    }
    const stop = await this.stop(req.name, signal);
    const cleaned = stop.ok ? 'stopped and cleaned up' : `cleanup: ${stop.error ?? '?'}`;
    return {
      ok: false,
      error: `recovery node ${req.name} did not answer (log: ${started.log}); ${cleaned}`,
    };
  }

  /** Stops the node (SIGTERM) and deletes the lock table the sandbox made for it. Idempotent. */
  async stop(name: string, signal: AbortSignal): Promise<ControlReply> {
    const n = this.#nodes.get(name);
    if (!n) {
      const r: RecoveryStopResult = { name, stopped: false };
      return { ok: true, message: `no recovery node ${name} was running`, data: r };
    }
    await stopGroup(n.info.pid, 10_000, n.ticks);
    if (alive(n.info.pid, n.ticks))
      return { ok: false, error: `recovery node ${name} (pid ${n.info.pid}) did not stop` };
    this.#nodes.delete(name);
    this.hooks.changed();
    let deleted: string | undefined;
    if (n.info.lockTable && n.info.lockTableCreated) {
      try {
        await this.clients.regions[n.info.region].dynamodb.send(
          new DeleteTableCommand({ TableName: n.info.lockTable }),
          { abortSignal: signal },
        );
        deleted = n.info.lockTable;
      } catch (err) {
        return {
          ok: false,
          error: `recovery node ${name} stopped, but its lock table ${n.info.lockTable} was not deleted: ${errorMessage(err)}`,
        };
      }
    }
    this.hooks.log(`recovery ${name}: stopped${deleted ? `, lock table ${deleted} deleted` : ''}`);
    const r: RecoveryStopResult = {
      name,
      stopped: true,
      ...(deleted ? { lockTableDeleted: deleted } : {}),
    };
    return {
      ok: true,
      message: `recovery node ${name} stopped${deleted ? `; lock table ${deleted} deleted` : ''}`,
      data: r,
    };
  }

  async stopAll(signal: AbortSignal): Promise<void> {
    for (const name of [...this.#nodes.keys()]) await this.stop(name, signal);
  }

  records(): ProcRecord[] {
    return [...this.#nodes.values()]
      .filter((n) => alive(n.info.pid, n.ticks))
      .map((n) => ({
        role: 'vault',
        name: `recovery-${n.info.name}`,
        pid: n.info.pid,
        ...(n.ticks !== undefined ? { startTicks: n.ticks } : {}),
        bin: n.bin,
        address: n.info.address,
        region: n.info.region,
        version: n.info.version,
        startedAt: n.info.startedAt,
      }));
  }
}
