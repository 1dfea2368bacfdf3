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
  const stray = d?.region === 'dr' ? await primaryAsgWhileDr(profile, aws, deadline) : undefined;
  return {
    ...(d ? { dns: d } : {}),
    ...(dr.length ? { drNodes: nodes } : {}),
    ...(stray ? { primaryAsgWhileDr: stray } : {}),
  };
}

/**
 * While DR serves, the primary's ASG should be at 0. Read only then (one more AWS call a
 * round, and only in a failover); an API that does not answer tells nothing here (the
 * region's own line shows its error).
 */
async function primaryAsgWhileDr(
  profile: Profile | undefined,
  aws: AwsPort | undefined,
  deadline: () => AbortSignal,
): Promise<FailoverStatus['primaryAsgWhileDr']> {
  const a = profile?.aws;
  if (!aws || !a?.asg || !a.region) return undefined;
  try {
    const g = await aws.describeAsg(a.asg, a.region, deadline());
    return g && g.desired > 0 ? { asg: g.name, desired: g.desired } : undefined;
  } catch {
    return undefined;
  }
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
  if (s.primaryAsgWhileDr)
    out.push(
      `  WARNING: the primary ASG ${s.primaryAsgWhileDr.asg} wants ${s.primaryAsgWhileDr.desired} instance(s) while DNS names DR: they boot sealed on the primary's old data and must never be unsealed; region-failback scales it to 0 first`,
    );
  return out;
}
