import type { ClusterStatus, NodeStatus } from '../domain/cluster.js';
import type { ClusterView, DrView, NodeView, RegionView } from './store.js';

function toNodeView(n: NodeStatus): NodeView {
  return {
    name: n.name,
    ...(n.instanceId ? { instanceId: n.instanceId } : {}),
    ...(n.az ? { az: n.az } : {}),
    ...(n.ami ? { ami: n.ami } : {}),
    ...(n.version ? { version: n.version } : {}),
    ...(n.initialized !== undefined ? { initialized: n.initialized } : {}),
    ...(n.sealed !== undefined ? { sealed: n.sealed } : {}),
    ...(n.progress
      ? {
          progress: {
            t: n.progress.progress,
            n: n.progress.t,
            ...(n.progress.nonce ? { nonce: n.progress.nonce } : {}),
          },
        }
      : {}),
    role: n.role,
    ...(n.healthCode !== undefined ? { healthCode: n.healthCode } : {}),
    reachable: n.reachable,
    ...(n.error ? { error: n.error } : {}),
  };
}

/** The DR half of the pane, only for a profile with a DR region. */
function toDrView(s: ClusterStatus): DrView | undefined {
  const f = s.failover;
  if (!f?.drNodes && !s.regions.some((r) => r.name === 'dr')) return undefined;
  return {
    nodes: (f?.drNodes ?? []).map(toNodeView),
    ...(f?.dns
      ? {
          dns: {
            record: f.dns.record,
            values: f.dns.values,
            target: f.dns.region === 'unknown' ? ('other' as const) : f.dns.region,
            ...(f.dns.error ? { error: f.dns.error } : {}),
          },
        }
      : {}),
    ...(s.replication ? { replication: s.replication } : {}),
    ...(f?.primaryAsgWhileDr ? { primaryAsgWhileDr: f.primaryAsgWhileDr } : {}),
  };
}

/** The status pane's view of a collected snapshot. */
export function toClusterView(s: ClusterStatus): ClusterView {
  const nodes: NodeView[] = s.nodes.map(toNodeView);
  // The HA lock lives in each region's own table; the holder belongs to the region of its node.
  const holderRegion = s.nodes.find((n) => s.haLockHolder && n.address === s.haLockHolder)?.region;
  const regions: RegionView[] = s.regions.map((r) => ({
    name: r.name,
    ...(r.asg ? { asg: { desired: r.asg.desired, inService: r.asg.inService } } : {}),
    ...(r.name === 'primary' && s.replication && s.replication.lagSeconds >= 0
      ? {
          replicationLagSeconds: s.replication.lagSeconds,
          ...(s.replication.cappedAt !== undefined ? { replicationLagCapped: true } : {}),
        }
      : {}),
    ...(s.haLockHolder && (holderRegion ? holderRegion === r.region : r.name === 'primary')
      ? { haLockHolder: s.haLockHolder }
      : {}),
    ...(r.name === 'dr' && s.failover?.drLeader ? { haLockHolder: s.failover.drLeader } : {}),
  }));
  const dr = toDrView(s);
  return { profile: s.profile, updatedAt: s.updatedAt, nodes, regions, ...(dr ? { dr } : {}) };
}
