import { errorMessage, UsageError } from '../../domain/errors.js';
import { roleOf } from '../../domain/health.js';
import type { Secret } from '../../domain/secret.js';
import type { ClusterView, MemberView, NodeRole, NodeView } from '../../domain/upgrade.js';
import type { AwsPort, AwsUpgradePort } from '../aws.js';
import type { HealthResult, VaultNode, VaultPort } from '../vault.js';
import { instanceFor } from '../placement.js';
import { requireAws } from './aws.js';
import type { ActionContext } from './types.js';
import { requireVault } from './vault.js';

/** The primary region's ASG, region and launch template, from the profile. */
export function upgradeTarget(ctx: ActionContext<unknown>): {
  asg: string;
  region: string;
  launchTemplate: string | undefined;
} {
  const a = ctx.profile?.aws;
  if (!a?.asg)
    throw new UsageError('this step needs the Auto Scaling group: set aws.asg in the profile');
  return { asg: a.asg, region: a.region, launchTemplate: a.launch_template };
}

/** The AWS port with the upgrade's calls, or a usage error naming what is missing. */
export function upgradeAws(ctx: ActionContext<unknown>): AwsPort & AwsUpgradePort {
  const aws = requireAws(ctx);
  const missing = (
    [
      'bucketVersioning',
      'launchTemplate',
      'createLaunchTemplateVersion',
      'terminateInAsg',
      'describeImages',
      'imagesForVersion',
    ] as const
  ).filter((m) => typeof aws[m] !== 'function');
  if (missing.length) throw new UsageError(`this AWS adapter cannot do ${missing.join(', ')}`);
  return aws as AwsPort & AwsUpgradePort;
}

export { instanceFor };

function roleFrom(h: HealthResult): NodeRole {
  if (!h.reachable) return 'unreachable';
  if (h.code === 501) return 'uninitialized';
  if (h.code === 503 || h.body.sealed) return 'sealed';
  const r = roleOf(h.code, h.body);
  return r === 'active' ? 'active' : r === 'standby' || r === 'perf-standby' ? 'standby' : 'other';
}

/** The live view: every node's health, the ASG's members and the image each was launched from. */
export async function readView(ctx: ActionContext<unknown>): Promise<ClusterView> {
  const vault = requireVault(ctx);
  const aws = upgradeAws(ctx);
  const { asg, region } = upgradeTarget(ctx);
  // Replacements get new addresses: a discovering profile finds them on every pass.
  await vault.refresh?.(ctx.signal);
  const [healths, group] = await Promise.all([
    Promise.all(vault.nodes().map(async (n) => ({ n, h: await vault.health(n, ctx.signal) }))),
    aws.describeAsg(asg, region, ctx.signal),
  ]);
  if (!group) throw new Error(`Auto Scaling group '${asg}' not found in ${region}`);
  const instances = await aws.describeInstances(
    group.instances.map((i) => i.instanceId),
    region,
    ctx.signal,
  );
  const byId = new Map(instances.map((i) => [i.instanceId, i]));
  const nodes: NodeView[] = healths.map(({ n, h }) => {
    const inst = instanceFor(
      n,
      instances.filter((i) => i.state === 'running' || i.state === 'pending'),
    );
    return {
      name: n.name,
      address: n.address,
      role: roleFrom(h),
      ...(h.reachable ? { code: h.code } : {}),
      ...(h.reachable && h.body.version ? { version: h.body.version } : {}),
      ...(inst ? { instanceId: inst.instanceId, az: inst.az, imageId: inst.imageId } : {}),
    };
  });
  const members: MemberView[] = group.instances.map((m) => {
    const inst = byId.get(m.instanceId);
    const node = nodes.find((n) => n.instanceId === m.instanceId);
    return {
      instanceId: m.instanceId,
      az: m.az,
      lifecycleState: m.lifecycleState,
      healthStatus: m.healthStatus,
      ...(inst?.imageId ? { imageId: inst.imageId } : {}),
      ...(inst?.launchTime ? { launchedAt: inst.launchTime } : {}),
      ...(node ? { node: node.name } : {}),
    };
  });
  return {
    nodes,
    members,
    desired: group.desired,
    region,
    ...(group.availabilityZones ? { azs: group.availabilityZones } : {}),
  };
}

export function describeNode(n: NodeView): string {
  return `${n.name} ${n.instanceId ?? '(no instance)'} ${n.az ?? '?'} ${n.role}${n.version ? ` Vault ${n.version}` : ''}${n.imageId ? ` ${n.imageId}` : ''}`;
}

/** What still serves, for the message of a run that stops. */
export function serving(view: ClusterView): string {
  const up = view.nodes.filter((n) => n.role === 'active' || n.role === 'standby');
  return up.length
    ? up.map((n) => `${n.name} (${n.role}, Vault ${n.version ?? '?'})`).join(', ')
    : 'no node';
}

/**
 * Terminates one instance through its ASG. When the ASG is replacing it already (an instance
 * it marked Unhealthy), the call fails — then the instance being gone from the group is the
 * outcome wanted, and only a still-serving member makes the failure an error.
 */
export async function terminateMember(
  ctx: ActionContext<unknown>,
  instanceId: string,
): Promise<'terminated' | 'already-going'> {
  const aws = upgradeAws(ctx);
  const { asg, region } = upgradeTarget(ctx);
  try {
    await aws.terminateInAsg(instanceId, region, ctx.signal);
    return 'terminated';
  } catch (err) {
    const g = await aws.describeAsg(asg, region, ctx.signal);
    const m = g?.instances.find((i) => i.instanceId === instanceId);
    if (m && m.lifecycleState === 'InService') throw err;
    ctx.log(
      `${instanceId}: the ASG is already replacing it (${m?.lifecycleState ?? 'gone from the group'}): ${errorMessage(err)}`,
    );
    return 'already-going';
  }
}

const WRONG =
  /message authentication failed|failed to decrypt keys|unable to retrieve stored keys/i;

/**
 * Unseal shares for the newcomers of one step. Each keyholder enters their share once; the
 * accepted shares stay in this object (process memory, as `Secret`s: never journaled, never in
 * an output) and unseal every later newcomer without asking again. The step drops the object
 * when it ends, so shares live exactly as long as the replacements they serve — and a resumed
 * run, in a new process, asks again.
 */
export class ShareKeeper {
  #shares: Secret[] = [];
  entries = 0;
  constructor(
    private readonly ctx: ActionContext<unknown>,
    private readonly vault: VaultPort,
  ) {}

  clear(): void {
    this.#shares = [];
  }

  async unseal(node: VaultNode, why: string): Promise<void> {
    const { ctx, vault } = this;
    let st = await vault.sealStatus(node, ctx.signal);
    if (!st.sealed) return;
    if (st.progress > 0) {
      // A brand-new node holds no progress of ours: it is left over from an interrupted entry.
      ctx.log(
        `${node.name}: a partial unseal (${st.progress}/${st.t}, nonce ${st.nonce}) is reset`,
      );
      st = await vault.unsealReset(node, ctx.signal);
    }
    for (const s of this.#shares) {
      st = await vault.unseal(node, s, ctx.signal);
      if (!st.sealed) {
        ctx.log(`${node.name}: unsealed with the ${this.#shares.length} share(s) entered earlier`);
        return;
      }
    }
    let refused = 0;
    while (st.sealed) {
      const a = await ctx.ask({
        type: 'secret',
        label: `unseal share ${st.progress + 1} of ${st.t}`,
        message: `Keyholder ${st.progress + 1} of ${st.t}: enter your unseal share for ${node.name} (${why}). It is kept in this process's memory until this step ends, so later newcomers are unsealed without asking again; it is never written down.`,
      });
      this.entries++;
      ctx.registerSecret(a.value);
      try {
        st = await vault.unseal(node, a.value, ctx.signal);
        this.#shares.push(a.value);
      } catch (err) {
        refused++;
        const msg = errorMessage(err);
        await vault.unsealReset(node, ctx.signal).catch((e: unknown) => {
          ctx.log(
            `${node.name}: resetting its unseal progress failed: ${errorMessage(e)}`,
            'stderr',
          );
        });
        if (WRONG.test(msg)) this.#shares = [];
        ctx.log(
          `${node.name}: share refused (${msg}); ${WRONG.test(msg) ? 'the shares did not combine: every keyholder enters theirs again' : 'enter it again'}`,
          'stderr',
        );
        if (refused >= 10) throw new Error('ten shares refused: stopping');
        st = await vault.sealStatus(node, ctx.signal);
      }
    }
    ctx.log(`${node.name}: unsealed`);
  }
}
