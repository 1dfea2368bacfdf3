import type { DnsChange, DnsRecord } from '../../engine/aws.js';
import type { AwsClients } from './clients.js';

// Route 53: the record clients resolve, moved to the DR region on failover and back on failback.

export async function dnsRecord(
  aws: AwsClients,
  zoneId: string,
  name: string,
  signal: AbortSignal,
): Promise<DnsRecord | undefined> {
  const { sdk, client } = await aws.route53();
  const fqdn = `${name.replace(/\.$/, '')}.`;
  const r = await client.send(
    new sdk.ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      StartRecordName: fqdn,
      MaxItems: 5,
    }),
    { abortSignal: signal },
  );
  const set = (r.ResourceRecordSets ?? []).find(
    (x) => x.Name === fqdn && (x.Type === 'A' || x.Type === 'CNAME'),
  );
  if (!set) return undefined;
  return {
    name: fqdn,
    type: set.Type ?? 'A',
    ttl: set.TTL ?? 60,
    values: (set.ResourceRecords ?? []).map((x) => x.Value ?? ''),
  };
}

export async function dnsUpsert(
  aws: AwsClients,
  zoneId: string,
  record: DnsRecord,
  signal: AbortSignal,
): Promise<DnsChange> {
  const { sdk, client } = await aws.route53();
  const r = await client.send(
    new sdk.ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Comment: 'vault-runbook region failover/failback',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: record.name,
              Type: record.type === 'CNAME' ? 'CNAME' : 'A',
              TTL: record.ttl,
              ResourceRecords: record.values.map((Value) => ({ Value })),
            },
          },
        ],
      },
    }),
    { abortSignal: signal },
  );
  return { id: r.ChangeInfo?.Id ?? '', status: r.ChangeInfo?.Status ?? 'PENDING' };
}

export async function dnsChange(
  aws: AwsClients,
  id: string,
  signal: AbortSignal,
): Promise<DnsChange> {
  const { sdk, client } = await aws.route53();
  const r = await client.send(new sdk.GetChangeCommand({ Id: id }), { abortSignal: signal });
  return { id, status: r.ChangeInfo?.Status ?? 'PENDING' };
}
