import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { ExitCode, VrError } from '../domain/errors.js';
import { ProfileSchema, type Profile } from '../domain/schema.js';
import {
  awsRouterUrl,
  minioUrl,
  nodeHost,
  proxyUrl,
  s3RouterUrl,
  SANDBOX_CREDENTIALS,
  type Layout,
} from './layout.js';
import type { SandboxState } from './state.js';

/** The sandbox's cluster profile (DESIGN §2): the same shape as a production one. */
export function sandboxProfile(l: Layout, s: SandboxState): Profile {
  const p = l.regions.primary;
  const d = l.regions.dr;
  // moto behind the sandbox's AWS router, so `region-down apis-down` can take one region away.
  const moto = awsRouterUrl(l);
  const profile: Profile = {
    name: 'sandbox',
    description:
      'Local training/test cluster from `vault-runbook sandbox up`: real Vault servers on loopback, AWS APIs in moto, S3 in MinIO.',
    vault: {
      addresses: Array.from(
        { length: p.desired },
        (_, i) => `https://${nodeHost(l, 'primary', i + 1)}:${l.vaultPort}`,
      ),
      api_addr: proxyUrl(l, 'primary'),
      // The DR ASG starts at 0; a failover scales it to the primary's size, slots 1…n.
      dr_addresses: Array.from(
        { length: p.desired },
        (_, i) => `https://${nodeHost(l, 'dr', i + 1)}:${l.vaultPort}`,
      ),
      dr_api_addr: proxyUrl(l, 'dr'),
      tls: { ca_cert: s.caFile },
      // The sandbox's Vault processes run as the user: /var/log/vault is not theirs to write.
      audit_file: join(l.logsDir, 'vault-audit.log'),
    },
    aws: {
      region: p.region,
      dr_region: d.region,
      asg: p.asg,
      dr_asg: d.asg,
      launch_template: p.launchTemplate,
      dr_launch_template: d.launchTemplate,
      data_bucket: p.bucket,
      dr_data_bucket: d.bucket,
      dynamodb_table: p.table,
      dr_dynamodb_table: d.table,
      ...(s.resources
        ? {
            route53: {
              zone_id: s.resources.zoneId,
              record: l.recordName,
              type: 'A' as const,
              ttl: 10,
              primary_value: p.proxyHost,
              dr_value: d.proxyHost,
            },
            target_group_arn: s.resources.targetGroupArns.primary,
            dr_target_group_arn: s.resources.targetGroupArns.dr,
          }
        : {}),
      endpoints: {
        ec2: moto,
        autoscaling: moto,
        route53: moto,
        elbv2: moto,
        dynamodb: moto,
        // One S3 endpoint routing by bucket; the per-region ones reach each MinIO directly.
        s3: s3RouterUrl(l),
        [`s3.${p.region}`]: minioUrl(l, 'primary'),
        [`s3.${d.region}`]: minioUrl(l, 'dr'),
      },
    },
    image: { builder: 'sandbox' },
  };
  const checked = ProfileSchema.safeParse(profile);
  if (!checked.success)
    throw new VrError(
      `internal: the sandbox profile does not validate: ${checked.error.message}`,
      ExitCode.stepFailed,
    );
  return checked.data;
}

export function envLines(l: Layout, s: SandboxState): string[] {
  return [
    `export VAULT_ADDR=${proxyUrl(l, 'primary')}`,
    `export VAULT_CACERT=${s.caFile}`,
    `export VAULT_RUNBOOK_PROFILE=${l.profileFile}`,
    // Dummy keys that only moto and this sandbox's MinIO accept.
    `export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey}`,
    `export AWS_REGION=${l.regions.primary.region}`,
  ];
}

/** Writes the profile, its env file, and makes it the default profile (current-profile). */
export function writeProfile(l: Layout, s: SandboxState): void {
  const profile = sandboxProfile(l, s);
  mkdirSync(dirname(l.profileFile), { recursive: true });
  writeFileSync(
    l.profileFile,
    `# Written by \`vault-runbook sandbox up\`; rewritten on every up.\n${stringify(profile)}`,
  );
  writeFileSync(
    l.envFile,
    `# source this file: the sandbox's Vault address and CA, and dummy AWS keys for moto/MinIO\n${envLines(l, s).join('\n')}\n`,
    { mode: 0o600 },
  );
  mkdirSync(dirname(l.pointerFile), { recursive: true });
  writeFileSync(l.pointerFile, `${l.profileFile}\n`);
}
