import type { Profile } from '../domain/schema.js';
import type { AwsPort, FailoverAwsPort } from './aws.js';
import type { RegionStatus } from '../domain/cluster.js';
import type { FailoverStatus } from '../domain/failover.js';

export type { FailoverStatus };

/**
 * Where the profile's Route 53 record points: the primary's or DR's load balancer, or neither.
 * A failure is data, never a throw. Undefined when the profile has no record or no AWS.
 */
export async function dnsStatus(
  profile: Profile | undefined,
  aws: (AwsPort & Partial<FailoverAwsPort>) | undefined,
  signal: AbortSignal,
): Promise<FailoverStatus['dns']> {
  const rt = profile?.aws?.route53;
  if (!rt || !aws?.dnsRecord) return undefined;
  try {
    const rec = await aws.dnsRecord(rt.zone_id, rt.record, signal);
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
}

/**
 * While DR serves, the primary's ASG should be at 0: a fence that could not scale it (its API
 * was down: the checklist path) leaves it wanting instances, which boot sealed on the primary's
 * old data once the region is back. Read from the round's cached ASG rows (no call of its own);
 * a primary ASG whose API did not answer tells nothing here (its own row shows the error).
 */
export function primaryAsgWhileDr(
  dns: FailoverStatus['dns'],
  primary: RegionStatus | undefined,
): FailoverStatus['primaryAsgWhileDr'] {
  const g = primary?.asg;
  if (dns?.region !== 'dr' || !g || g.error !== undefined || g.desired <= 0) return undefined;
  return { asg: g.name, desired: g.desired };
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
