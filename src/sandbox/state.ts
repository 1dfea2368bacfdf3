import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RegionKey } from './layout.js';

export type ProcRole = 'supervisor' | 'moto' | 'minio' | 'vault';

/** One process the sandbox started: enough to stop exactly it later, and to show it. */
export interface ProcRecord {
  readonly role: ProcRole;
  readonly name: string;
  readonly pid: number;
  /** With the pid, names one process even after the pid is reused. */
  readonly startTicks?: number;
  readonly bin: string;
  readonly address?: string;
  readonly region?: RegionKey;
  readonly instanceId?: string;
  readonly az?: string;
  readonly amiId?: string;
  readonly version?: string;
  readonly startedAt: string;
}

export interface ProxyRecord {
  readonly region: RegionKey;
  readonly address: string;
  readonly listening: boolean;
  /** The node the proxy forwards to (the one whose sys/health said 200), if any. */
  readonly active?: string;
}

export interface ReplicationRecord {
  readonly mode: 'emulated-crr';
  readonly lagSetting: number;
  /** Why replication is paused (region-down until `sandbox replication resume`). */
  readonly paused?: string;
  readonly pendingVersions: number;
  readonly oldestPendingSeconds: number;
  readonly copiedVersions: number;
  readonly lastCopyAt?: string;
  readonly error?: string;
}

export interface RegionRecord {
  readonly region: string;
  readonly up: boolean;
  readonly asg: string;
  readonly desired?: number;
  readonly members?: number;
  readonly bucket: string;
  readonly lockTable: string;
  readonly loadBalancer: string;
}

export interface DnsRecord {
  readonly name: string;
  readonly values: readonly string[];
  /** The region whose load balancer the record points at; none when it points elsewhere. */
  readonly region?: RegionKey;
  readonly loadBalancer?: string;
  readonly checkedAt: string;
  readonly error?: string;
}

export type Phase = 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

export interface SandboxState {
  readonly version: 1;
  readonly slot: number;
  readonly phase: Phase;
  readonly error?: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Progress lines of `up`, oldest first; `sandbox up` prints the ones it has not shown. */
  readonly events: readonly { readonly seq: number; readonly message: string }[];
  readonly processes: readonly ProcRecord[];
  readonly proxies: readonly ProxyRecord[];
  readonly faults: {
    readonly regionDown: boolean;
    /** The primary's AWS APIs do not answer either (`region-down apis-down`). */
    readonly apisDown?: boolean;
    readonly downAzs: readonly string[];
    /** AMI ids and versions whose new instances start broken. */
    readonly brokenImages?: readonly string[];
  };
  /** Per region: its ASG as the supervisor last saw it, and whether the region is up. */
  readonly regions?: Readonly<Record<RegionKey, RegionRecord>>;
  /** The Route 53 record clients use, and which region's load balancer it points at. */
  readonly dns?: DnsRecord;
  readonly replication?: ReplicationRecord;
  /** Ids moto gave the provisioned resources; the profile names them. */
  readonly resources?: {
    readonly zoneId: string;
    readonly targetGroupArns: Readonly<Record<RegionKey, string>>;
  };
  /** AMI id → Vault version it stands for, per region. */
  readonly amis: Readonly<Record<RegionKey, Readonly<Record<string, string>>>>;
  readonly defaultVersion: string;
  readonly caFile: string;
  readonly profileFile: string;
  readonly dataDir: string;
  readonly socket: string;
}

export function readState(file: string): SandboxState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
    return s.version === 1 ? s : undefined;
  } catch {
    // A torn or foreign file: writes are atomic, so this is not ours to trust.
    return undefined;
  }
}

/** Temp file + rename: a reader sees the old or the new state, never half of one. */
export function writeState(file: string, s: SandboxState): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
