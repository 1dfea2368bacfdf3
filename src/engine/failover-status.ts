import type { Profile } from '../domain/schema.js';
import type { AwsPort, FailoverAwsPort } from './aws.js';
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
