import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './errors.js';
import { lintYaml } from './load.js';

const profile = (vault: string, fields: string) => `name: prod
vault: { addresses: ['https://10.0.1.10:8200']${vault} }
aws: { region: us-east-1, asg: prod-vault, data_bucket: prod-data }
recovery:
  subnet_id: subnet-0abc
  instance_profile: vault-recovery
  role_arn: arn:aws:iam::111122223333:role/vault-recovery
  egress_cidrs: [10.0.8.0/26]
${fields}`;
// `lint` on a profile is this call: what it reports is what the operator sees.
const lint = (text: string) => lintYaml(text, 'p.yaml').diagnostics.map(formatDiagnostic);

describe('profile recovery: the TLS rule and the operator-only ingress', () => {
  it('Given recovery.scheme http and no vault.tls.insecure_override, When linted, Then one line refuses it naming the field', () => {
    const errs = lint(profile('', '  operator_cidr: 10.20.0.0/24\n  scheme: http\n'));
    expect(errs).toEqual([
      expect.stringMatching(
        /^p\.yaml:\d+:\d+ recovery\.scheme http sends shares and a token unprotected.*insecure_override.*\(at recovery\.scheme\)$/,
      ),
    ]);
  });

  it('Given recovery.scheme http with vault.tls.insecure_override (a lab), When linted, Then it loads as the nodes would', () => {
    const lab = ", tls: { insecure_override: 'lab without a CA' }";
    expect(lint(profile(lab, '  operator_cidr: 10.20.0.0/24\n  scheme: http\n'))).toEqual([]);
    expect(lint(profile('', '  operator_cidr: 10.20.0.0/24\n  scheme: https\n'))).toEqual([]);
  });

  it('Given recovery.operator_cidr 0.0.0.0/0 or ::/0, When linted, Then one line refuses it naming the field', () => {
    expect(lint(profile('', '  operator_cidr: 0.0.0.0/0\n'))).toEqual([
      expect.stringMatching(/^p\.yaml:\d+:\d+ .*never \/0.*\(at recovery\.operator_cidr\)$/),
    ]);
    expect(lint(profile('', "  operator_cidr: '::/0'\n"))).toEqual([
      expect.stringMatching(/^p\.yaml:\d+:\d+ .*\(at recovery\.operator_cidr\)$/),
    ]);
    expect(lint(profile('', '  operator_cidr: 203.0.113.7/32\n'))).toEqual([]);
  });
});
