import { join } from 'node:path';
import type { Layout, RegionKey } from './layout.js';
import { startTicks } from './procs.js';
import type { Resources } from './provision.js';
import type { ActiveProxy } from './proxy.js';
import type { RegionReconciler } from './reconcile.js';
import type { Replicator } from './replicator.js';
import type { RecoveryNodes } from './recovery.js';
import type { DnsRecord, Phase, ProcRecord, RegionRecord, SandboxState } from './state.js';

export interface SnapshotParts {
  readonly l: Layout;
  readonly phase: Phase;
  readonly error?: string;
  readonly startedAt: string;
  readonly events: readonly { readonly seq: number; readonly message: string }[];
  readonly infra: readonly ProcRecord[];
  readonly reconcilers: ReadonlyMap<RegionKey, RegionReconciler>;
  readonly proxies: ReadonlyMap<RegionKey, ActiveProxy>;
  readonly regionDown: boolean;
  readonly apisDown?: boolean;
  readonly downAzs: ReadonlySet<string>;
  readonly brokenImages?: ReadonlySet<string>;
  readonly regions?: Readonly<Record<RegionKey, RegionRecord>>;
  readonly dns?: DnsRecord;
  readonly recovery?: RecoveryNodes | undefined;
  readonly replicator?: Replicator;
  readonly resources?: Resources;
  readonly defaultVersion: string;
}

/** The supervisor's state file: every pid it started (for `down`), and what `status` shows. */
export function snapshot(p: SnapshotParts): SandboxState {
  const l = p.l;
  const ticks = startTicks(process.pid);
  return {
    version: 1,
    slot: l.slot,
    phase: p.phase,
    ...(p.error ? { error: p.error } : {}),
    startedAt: p.startedAt,
    updatedAt: new Date().toISOString(),
    events: p.events,
    processes: [
      {
        role: 'supervisor',
        name: 'supervisor',
        pid: process.pid,
        ...(ticks !== undefined ? { startTicks: ticks } : {}),
        bin: process.execPath,
        startedAt: p.startedAt,
      },
      ...p.infra,
      ...[...p.reconcilers.values()].flatMap((r) => r.records()),
      ...(p.recovery?.records() ?? []),
    ],
    proxies: [...p.proxies.entries()].map(([region, x]) => ({
      region,
      address: x.address,
      listening: x.listening,
      ...(x.active ? { active: x.active } : {}),
    })),
    faults: {
      regionDown: p.regionDown,
      ...(p.apisDown ? { apisDown: true } : {}),
      downAzs: [...p.downAzs],
      ...(p.brokenImages?.size ? { brokenImages: [...p.brokenImages] } : {}),
    },
    ...(p.regions ? { regions: p.regions } : {}),
    ...(p.dns ? { dns: p.dns } : {}),
    ...(p.replicator ? { replication: p.replicator.record() } : {}),
    ...(p.resources
      ? {
          resources: {
            zoneId: p.resources.zoneId,
            targetGroupArns: {
              primary: p.resources.regions.primary.targetGroupArn,
              dr: p.resources.regions.dr.targetGroupArn,
            },
          },
        }
      : {}),
    amis: {
      primary: p.reconcilers.get('primary')?.amis() ?? {},
      dr: p.reconcilers.get('dr')?.amis() ?? {},
    },
    defaultVersion: p.defaultVersion,
    caFile: join(l.tlsDir, 'ca.pem'),
    profileFile: l.profileFile,
    dataDir: l.dir,
    socket: l.socket,
  };
}
