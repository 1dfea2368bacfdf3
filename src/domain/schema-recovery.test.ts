import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './errors.js';
import { parseProfile } from './load.js';

const base = `name: prod
vault: { addresses: ['https://10.0.1.10:8200'] }
aws: { region: us-east-1, asg: prod-vault, data_bucket: prod-data }
`;
const recovery = (fields: string) =>
  `${base}recovery:\n  subnet_id: subnet-0abc\n  instance_profile: vault-recovery\n  role_arn: arn:aws:iam::111122223333:role/vault-recovery\n  operator_cidr: 10.20.0.0/24\n${fields}`;
const withEgress = (fields: string) => recovery(`  egress_cidrs: [10.0.8.0/26]\n${fields}`);
const errors = (text: string) => parseProfile(text, 'p.yaml').diagnostics.map(formatDiagnostic);

describe('profile recovery: section (S3 quarantine on AWS)', () => {
  it('Given a complete recovery section, When parsed, Then it loads with its values', () => {
    const r = parseProfile(
      recovery('  egress_prefix_lists: [pl-63a5400a]\n  start_timeout: 5m\n'),
      'p.yaml',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.recovery).toMatchObject({ subnet_id: 'subnet-0abc', start_timeout: '5m' });
  });

  it('Given bad values, When parsed, Then each is one line naming the field and what it wants', () => {
    expect(errors(withEgress('').replace('subnet-0abc', 'sn-1'))).toEqual([
      expect.stringMatching(/^p\.yaml:5:14 a subnet id \(subnet-…\) \(at recovery\.subnet_id\)$/),
    ]);
    expect(errors(withEgress('').replace('10.20.0.0/24', '10.20.0.0'))).toEqual([
      expect.stringMatching(/^p\.yaml:8:18 an IPv4 CIDR.*\(at recovery\.operator_cidr\)$/),
    ]);
    expect(errors(withEgress('  role: x\n'))[0]).toMatch(/^p\.yaml:\d+:\d+ .*role/);
    expect(
      errors(withEgress('').replace('role_arn: arn:aws:iam::111122223333:role/', 'role_arn: ')),
    ).toEqual([expect.stringMatching(/an IAM role ARN/)]);
    for (const e of errors(withEgress('  start_timeout: soon\n'))) expect(e).not.toContain('\n');
  });

  it('Given a recovery section naming neither egress_cidrs nor egress_prefix_lists (or both empty), When parsed, Then one line says both fields are needed', () => {
    for (const fields of ['', '  egress_cidrs: []\n  egress_prefix_lists: []\n'])
      expect(errors(recovery(fields))).toEqual([
        expect.stringMatching(
          /^p\.yaml:\d+:\d+ recovery needs egress_cidrs or egress_prefix_lists \(.*never the VPC CIDR.*\) \(at recovery\)$/,
        ),
      ]);
    for (const fields of [
      '  egress_cidrs: [10.0.8.0/26]\n',
      '  egress_prefix_lists: [pl-63a5400a]\n',
    ])
      expect(errors(recovery(fields))).toEqual([]);
  });

  it('Given a recovery section without aws.asg, When parsed, Then it says the ASG is needed', () => {
    const text = withEgress('').replace('asg: prod-vault, ', '');
    expect(errors(text)).toEqual([expect.stringMatching(/needs aws\.asg and aws\.data_bucket/)]);
  });
});
