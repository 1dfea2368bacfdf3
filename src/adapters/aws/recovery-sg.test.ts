import { describe, expect, it } from 'vitest';
import type { AwsClients } from './clients.js';
import { createGroup } from './recovery-sg.js';

/**
 * The recovery node's group as EC2 makes it in a dual-stack VPC (a VPC with an IPv6 block):
 * two default egress rules, all traffic to 0.0.0.0/0 and to ::/0. The fake keeps the group's
 * rules and applies Revoke/Authorize to them the way EC2 does, so the test reads what the node
 * may reach afterwards, not which calls were made.
 */
type Range = { CidrIp?: string; CidrIpv6?: string };
interface Perm {
  IpProtocol?: string;
  FromPort?: number;
  IpRanges?: Range[];
  Ipv6Ranges?: Range[];
  PrefixListIds?: unknown[];
}

function ec2WithDefaults(dualStack: boolean) {
  let egress: Perm[] = [];
  const client = {
    send(cmd: { constructor: { name: string }; input: Record<string, unknown> }) {
      const perms = (cmd.input.IpPermissions ?? []) as Perm[];
      switch (cmd.constructor.name) {
        case 'CreateSecurityGroupCommand':
          egress = [
            {
              IpProtocol: '-1',
              IpRanges: [{ CidrIp: '0.0.0.0/0' }],
              ...(dualStack ? { Ipv6Ranges: [{ CidrIpv6: '::/0' }] } : {}),
            },
          ];
          return Promise.resolve({ GroupId: 'sg-0new' });
        case 'DescribeSecurityGroupsCommand':
          return Promise.resolve({
            SecurityGroups: [{ GroupId: 'sg-0new', IpPermissionsEgress: structuredClone(egress) }],
          });
        case 'RevokeSecurityGroupEgressCommand':
          for (const p of perms) {
            const rule = egress.find((e) => e.IpProtocol === p.IpProtocol);
            if (!rule) return Promise.reject(new Error('InvalidPermission.NotFound'));
            const gone = (r: Range, list?: Range[]) =>
              list?.some((x) => x.CidrIp === r.CidrIp && x.CidrIpv6 === r.CidrIpv6);
            rule.IpRanges = (rule.IpRanges ?? []).filter((r) => !gone(r, p.IpRanges));
            rule.Ipv6Ranges = (rule.Ipv6Ranges ?? []).filter((r) => !gone(r, p.Ipv6Ranges));
          }
          egress = egress.filter(
            (e) => (e.IpRanges?.length ?? 0) + (e.Ipv6Ranges?.length ?? 0) > 0,
          );
          return Promise.resolve({});
        case 'AuthorizeSecurityGroupEgressCommand':
          egress.push(...structuredClone(perms));
          return Promise.resolve({});
        default:
          return Promise.resolve({});
      }
    },
  };
  const aws = { ec2: () => Promise.resolve({ client }) } as unknown as AwsClients;
  return { aws, egress: () => egress };
}

const rules = {
  port: 8200,
  operatorCidr: '10.20.0.0/24',
  egressCidrs: ['10.0.8.0/26'],
  egressPrefixLists: [],
};

describe('recovery security group egress', () => {
  for (const dualStack of [true, false])
    it(`Given a ${dualStack ? 'dual-stack' : 'IPv4-only'} VPC, When the recovery group is made, Then the only way out is tcp 443 to the given CIDRs`, async () => {
      const w = ec2WithDefaults(dualStack);
      await createGroup(
        w.aws,
        'us-east-1',
        'vpc-1',
        'vault-recovery-q',
        rules,
        {},
        AbortSignal.timeout(5_000),
      );
      expect(w.egress()).toEqual([
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.8.0/26' }] },
      ]);
    });
});
