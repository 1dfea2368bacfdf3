import { ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { proxyUrl, REGION_KEYS, type Layout, type RegionKey } from './layout.js';

export interface DnsTarget {
  readonly name: string;
  readonly values: readonly string[];
  readonly region?: RegionKey;
  readonly loadBalancer?: string;
}

/** Which region's load balancer a record's values name (the sandbox's "ALB" is its proxy host). */
export function regionOf(l: Layout, values: readonly string[]): RegionKey | undefined {
  const hits = REGION_KEYS.filter((k) => {
    const lb = l.regions[k];
    return values.some((v) => v.replace(/\.$/, '') === lb.proxyHost);
  });
  return hits.length === 1 ? hits[0] : undefined;
}

/** Reads the sandbox's Route 53 record from moto: its values and the load balancer they name. */
export async function readDnsTarget(
  l: Layout,
  route53: Route53Client,
  zoneId: string,
  signal: AbortSignal,
): Promise<DnsTarget> {
  const name = `${l.recordName}.`;
  const r = await route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      StartRecordName: name,
      StartRecordType: 'A',
      MaxItems: 1,
    }),
    { abortSignal: signal },
  );
  const set = (r.ResourceRecordSets ?? []).find(
    (x) => x.Name?.replace(/\.$/, '') === l.recordName && x.Type === 'A',
  );
  const values = (set?.ResourceRecords ?? []).map((x) => x.Value ?? '');
  const region = regionOf(l, values);
  return {
    name: l.recordName,
    values,
    ...(region ? { region, loadBalancer: proxyUrl(l, region) } : {}),
  };
}
