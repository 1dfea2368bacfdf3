import type { Profile } from '../domain/schema.js';
import type { AwsPort, FailoverAwsPort } from './aws.js';
import type { VaultNode, VaultPort } from './vault.js';
import type { NodeStatus } from '../domain/cluster.js';
import type { FailoverStatus } from '../domain/failover.js';

export type { FailoverStatus };

/**
 * Reads the DNS target and the DR nodes; every failure is data, never a throw. `node` is the
 * collector the status uses for a primary node, so a DR node shows the same columns (seal
 * state and progress, version, HA role) and a failure reads the same way.
 */
export async function failoverStatus(
  profile: Profile | undefined,
  vault: VaultPort,
  aws: (AwsPort & Partial<FailoverAwsPort>) | undefined,
  deadline: () => AbortSignal,
  node: (n: VaultNode) => Promise<NodeStatus>,
): Promise<FailoverStatus> {
  const rt = profile?.aws?.route53;
  const dns = async (): Promise<FailoverStatus['dns']> => {
    if (!rt || !aws?.dnsRecord) return undefined;
    try {
      const rec = await aws.dnsRecord(rt.zone_id, rt.record, deadline());
      const vs = (rec?.values ?? []).map((v) => v.replace(/\.$/, ''));
      const one = vs.length === 1 ? vs[0] : undefined;
      const region =
        one !== undefined && one === rt.primary_value
          ? 'primary'
          : one !== undefined && one === rt.dr_value
            ? 'dr'
            : 'unknown';
      return { record: rt.record, values: vs, region };
    } catch (err) {
      return { record: rt.record, values: [], region: 'unknown', error: (err as Error).message };
    }
  };
  const dr = vault.drNodes();
  const [d, nodes] = await Promise.all([dns(), Promise.all(dr.map(node))]);
  return { ...(d ? { dns: d } : {}), ...(dr.length ? { drNodes: nodes } : {}) };
}

/** The lines `status` prints for it. */
export function formatFailoverStatus(s: FailoverStatus): string[] {
  const out: string[] = [];
  if (s.dns)
    out.push(
      `  DNS ${s.dns.record} → ${s.dns.values.join(', ') || '(no record)'}${s.dns.region === 'unknown' ? '' : ` = the ${s.dns.region} load balancer`}${s.dns.error ? ` (could not read: ${s.dns.error})` : ''}`,
    );
  if (s.drNodes?.length)
    out.push(
      `  DR nodes: ${s.drNodes.map((n) => `${n.name} ${n.reachable ? (n.healthCode ?? '?') : 'down'}`).join(', ')}`,
    );
  if (s.drLeader) out.push(`  DR HA lock holder: ${s.drLeader}`);
  return out;
}
