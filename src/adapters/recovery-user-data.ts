import { UsageError } from '../domain/errors.js';

/** The name part of an instance profile given as a name or an ARN. */
export const profileName = (p: string) =>
  p.replace(/^arn:[^:]+:iam::\d+:instance-profile\/(.*\/)?/, '');

/**
 * The launch template's user-data turned into a recovery node's: the quarantine bucket, role
 * recovery, no lock table, no load balancer in front. Everything else (KMS key, TLS parameters,
 * node_address, path) is the cluster's, so the node reads the copied objects as the cluster would.
 */
export function recoveryUserData(base: string | undefined, bucket: string, name: string): string {
  let data: unknown;
  try {
    data = JSON.parse(base ?? '');
  } catch {
    data = undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new UsageError(
      "the ASG's launch template has no JSON user-data (the terraform module's, read by packer/files/vault-render-config): a recovery node cannot be configured from it",
    );
  const d = { ...(data as Record<string, unknown>) };
  if (typeof d.cluster_name !== 'string' || !d.cluster_name)
    throw new UsageError("the launch template's user-data has no cluster_name");
  delete d.dynamodb_table;
  return JSON.stringify({
    ...d,
    cluster_name: `${d.cluster_name}-recovery-${name}`,
    role: 'recovery',
    s3_bucket: bucket,
    x_forwarded_for_cidrs: [],
  });
}
