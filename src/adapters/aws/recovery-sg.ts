import type { AwsClients } from './clients.js';
import { ec2, RECOVERY_TAG, tagList, type Tags } from './recovery-ec2.js';

// The S3-quarantine recovery node's own security group (src/adapters/recovery-aws.ts).

const errName = (err: unknown): string => (err as { name?: string }).name ?? '';

export interface GroupRules {
  readonly port: number;
  readonly operatorCidr: string;
  readonly egressCidrs: readonly string[];
  readonly egressPrefixLists: readonly string[];
}

/**
 * A security group of its own: in, only the Vault port from the operator's CIDR; out, only 443
 * to the given CIDRs (interface endpoints) and prefix lists (the S3 gateway endpoint). The
 * default allow-all egress rule is revoked, so nothing else leaves the node.
 */
export async function createGroup(
  aws: AwsClients,
  region: string,
  vpcId: string,
  groupName: string,
  rules: GroupRules,
  tags: Tags,
  signal: AbortSignal,
): Promise<string> {
  const { client, sdk } = await ec2(aws, region);
  const o = { abortSignal: signal };
  const g = await client.send(
    new sdk.CreateSecurityGroupCommand({
      GroupName: groupName,
      Description: 'vault-runbook S3 quarantine recovery node: isolated, operator only',
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tagList(tags) }],
    }),
    o,
  );
  const id = g.GroupId;
  if (!id) throw new Error(`creating security group ${groupName} returned no id`);
  // The default allow-all egress, as the group has it: 0.0.0.0/0, and ::/0 too in a VPC with
  // an IPv6 block (dual stack). Every rule of a group made just now is one of those.
  const made = await client.send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: [id] }), o);
  const allowAll = (made.SecurityGroups?.[0]?.IpPermissionsEgress ?? []).flatMap((p) => {
    const v4 = (p.IpRanges ?? []).filter((r) => r.CidrIp === '0.0.0.0/0');
    const v6 = (p.Ipv6Ranges ?? []).filter((r) => r.CidrIpv6 === '::/0');
    return p.IpProtocol === '-1' && v4.length + v6.length > 0
      ? [
          {
            IpProtocol: '-1',
            ...(v4.length ? { IpRanges: v4.map(() => ({ CidrIp: '0.0.0.0/0' })) } : {}),
            ...(v6.length ? { Ipv6Ranges: v6.map(() => ({ CidrIpv6: '::/0' })) } : {}),
          },
        ]
      : [];
  });
  if (allowAll.length > 0)
    await client.send(
      new sdk.RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: allowAll }),
      o,
    );
  await client.send(
    new sdk.AuthorizeSecurityGroupIngressCommand({
      GroupId: id,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: rules.port,
          ToPort: rules.port,
          IpRanges: [{ CidrIp: rules.operatorCidr, Description: 'operator: Vault API' }],
        },
      ],
    }),
    o,
  );
  await client.send(
    new sdk.AuthorizeSecurityGroupEgressCommand({
      GroupId: id,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          ...(rules.egressCidrs.length
            ? { IpRanges: rules.egressCidrs.map((CidrIp) => ({ CidrIp })) }
            : {}),
          ...(rules.egressPrefixLists.length
            ? { PrefixListIds: rules.egressPrefixLists.map((PrefixListId) => ({ PrefixListId })) }
            : {}),
        },
      ],
    }),
    o,
  );
  return id;
}

/** The security groups made for a recovery node (by tag; all of them when name is absent). */
export async function findGroups(
  aws: AwsClients,
  region: string,
  name: string | undefined,
  signal: AbortSignal,
): Promise<string[]> {
  const { client, sdk } = await ec2(aws, region);
  const r = await client.send(
    new sdk.DescribeSecurityGroupsCommand({
      Filters: [
        name
          ? { Name: `tag:${RECOVERY_TAG}`, Values: [name] }
          : { Name: 'tag-key', Values: [RECOVERY_TAG] },
      ],
    }),
    { abortSignal: signal },
  );
  return (r.SecurityGroups ?? []).map((g) => g.GroupId ?? '').filter(Boolean);
}

/** Deletes a group: 'gone' when it was not there, 'busy' while an interface still uses it. */
export async function deleteGroup(
  aws: AwsClients,
  region: string,
  groupId: string,
  signal: AbortSignal,
): Promise<'deleted' | 'gone' | 'busy'> {
  const { client, sdk } = await ec2(aws, region);
  try {
    await client.send(new sdk.DeleteSecurityGroupCommand({ GroupId: groupId }), {
      abortSignal: signal,
    });
    return 'deleted';
  } catch (err) {
    const n = errName(err);
    if (n === 'InvalidGroup.NotFound' || n === 'InvalidGroupId.NotFound') return 'gone';
    if (n === 'DependencyViolation') return 'busy';
    throw err;
  }
}
