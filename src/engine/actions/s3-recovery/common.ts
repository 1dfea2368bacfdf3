import { UsageError } from '../../../domain/errors.js';
import { operatorToken } from '../../operator-token.js';
import type { RecoveryPort } from '../../recovery.js';
import type { VaultNode, VaultPort } from '../../vault.js';
import type { ActionContext } from '../types.js';
import { requireVault } from '../vault.js';

/** The data bucket and region: `with` first, else the profile's aws section. */
export function dataBucket(
  ctx: ActionContext<{ bucket?: string | undefined; 'aws-region'?: string | undefined }>,
): { bucket: string; region: string } {
  const bucket = ctx.input.bucket ?? ctx.profile?.aws?.data_bucket;
  const region = ctx.input['aws-region'] ?? ctx.profile?.aws?.region;
  if (!bucket || !region)
    throw new UsageError(
      `${ctx.stepId}: needs the data bucket and its region (profile aws.data_bucket and aws.region, or with.bucket and with.aws-region)`,
    );
  return { bucket, region };
}

export function requireRecovery(ctx: ActionContext<unknown>): RecoveryPort {
  const r = ctx.ports.recovery;
  if (!r)
    throw new UsageError(
      'quarantine mode needs an isolated recovery node: the sandbox starts one; on AWS give the profile a `recovery:` section (isolated subnet, recovery instance profile and role, operator CIDR; see docs/s3-recovery.md), or use mode=in-place',
    );
  return r;
}

/**
 * A node of the live cluster that serves reads and writes: the active one, else an unsealed
 * standby (it forwards to the active).
 */
export async function servingNode(vault: VaultPort, signal: AbortSignal): Promise<VaultNode> {
  const hs = await Promise.all(
    vault.nodes().map(async (node) => ({ node, h: await vault.health(node, signal) })),
  );
  const code = (c: number) => hs.find((x) => x.h.reachable && x.h.code === c)?.node;
  const n = code(200) ?? code(429) ?? code(473);
  if (!n) throw new Error('no unsealed node of the live cluster answers');
  return n;
}

/** The live cluster's serving node and the operator's token checked on it. */
export async function liveSession(ctx: ActionContext<unknown>, purpose: string) {
  const vault = requireVault(ctx);
  const node = await servingNode(vault, ctx.signal);
  const { token, source } = await operatorToken(ctx, node, purpose);
  return { vault, node, token, source };
}

/** Every node of the profile that answers at all (a stopped cluster answers on none). */
export async function answering(vault: VaultPort, signal: AbortSignal): Promise<VaultNode[]> {
  const hs = await Promise.all(
    vault.nodes().map(async (node) => ({ node, h: await vault.health(node, signal) })),
  );
  return hs.filter((x) => x.h.reachable).map((x) => x.node);
}
