import {
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { describeAllInstances } from '../adapters/aws/ec2-pages.js';
import { RECOVERY_TAG } from '../adapters/aws/recovery-ec2.js';
import { errorMessage } from '../domain/errors.js';
import type { RecoveryNodeInfo, RecoveryNodes } from './recovery.js';

/** The tag the sandbox writes a node's API address in (the profile's `address_tag`). */
export const ADDRESS_TAG = 'vault-runbook:address';

/**
 * What packer/files/vault-render-config accepts of a recovery node's user-data, and what the
 * sandbox needs of it: role recovery, a bucket, no lock table. Undefined when it is fine.
 */
export function refuseRecoveryUserData(text: string): string | undefined {
  let d: unknown;
  try {
    d = JSON.parse(text);
  } catch {
    return 'user-data is not a JSON object';
  }
  if (typeof d !== 'object' || d === null || Array.isArray(d))
    return 'user-data is not a JSON object';
  const u = d as Record<string, unknown>;
  if (u.role !== 'recovery') return `role is ${JSON.stringify(u.role)}, not recovery`;
  if (u.dynamodb_table)
    return 'a recovery node takes no dynamodb_table (it must never touch a lock table)';
  for (const k of [
    'cluster_name',
    's3_bucket',
    'kms_key_id',
    'tls_cert_parameter',
    'tls_key_parameter',
  ])
    if (typeof u[k] !== 'string' || !u[k]) return `user-data lacks ${k}`;
  return undefined;
}

/**
 * The AWS recovery adapter's instances made real (issue 12): a moto instance tagged as a
 * recovery node boots, as its AMI would, into a local Vault on the bucket its user-data names
 * (the supervisor's RecoveryNodes: no HA, never a live bucket), and gets its address in a tag;
 * terminating the instance stops that Vault. So the whole quarantine runs on an AWS-type profile.
 */
export class RecoveryInstances {
  /** instance id → the node started for it (or why none was). */
  readonly #seen = new Map<string, { name?: string; refused?: string }>();

  constructor(
    private readonly ec2: EC2Client,
    private readonly nodes: RecoveryNodes,
    private readonly log: (m: string) => void,
  ) {}

  async pass(signal: AbortSignal): Promise<void> {
    const instances = await describeAllInstances(
      this.ec2,
      DescribeInstancesCommand,
      { Filters: [{ Name: 'tag-key', Values: [RECOVERY_TAG] }] },
      signal,
    );
    for (const i of instances) {
      const id = i.InstanceId ?? '';
      const state = i.State?.Name ?? '';
      const seen = this.#seen.get(id);
      if (state !== 'running') {
        if (seen?.name && state !== 'pending') {
          const stop = await this.nodes.stop(seen.name, signal);
          this.log(`recovery instance ${id} is ${state}: ${stop.message ?? stop.error ?? ''}`);
          this.#seen.set(id, {});
        }
        continue;
      }
      if (seen) continue;
      const name = i.Tags?.find((t) => t.Key === RECOVERY_TAG)?.Value ?? '';
      const ud = await this.ec2.send(
        new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }),
        { abortSignal: signal },
      );
      const text = Buffer.from(ud.UserData?.Value ?? '', 'base64').toString('utf8');
      const refused = refuseRecoveryUserData(text);
      if (refused) {
        // As vault-render-config would fail the boot: no Vault, the adapter's deadline says so.
        this.log(`recovery instance ${id}: ${refused}; no Vault started`);
        this.#seen.set(id, { refused });
        continue;
      }
      const bucket = (JSON.parse(text) as { s3_bucket: string }).s3_bucket;
      const started = await this.nodes.start({ name, bucket }, signal);
      if (!started.ok) {
        this.log(`recovery instance ${id}: ${started.error ?? 'not started'}`);
        this.#seen.set(id, { refused: started.error ?? 'not started' });
        continue;
      }
      const info = started.data as RecoveryNodeInfo;
      this.#seen.set(id, { name });
      await this.ec2
        .send(
          new CreateTagsCommand({
            Resources: [id],
            Tags: [{ Key: ADDRESS_TAG, Value: info.address }],
          }),
          { abortSignal: signal },
        )
        .catch((err: unknown) =>
          this.log(`recovery instance ${id}: tagging failed: ${errorMessage(err)}`),
        );
    }
  }
}
