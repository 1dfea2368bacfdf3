import { z } from 'zod';
import { errorMessage, UsageError } from '../../domain/errors.js';
import { formatFingerprint, parsePublicKey } from '../../domain/pgp.js';
import type { Secret } from '../../domain/secret.js';
import type { VaultNode, VaultPort } from '../vault.js';
import type { ActionContext, ActionDef } from './types.js';
import {
  Count,
  count,
  planShares,
  requireAbsent,
  requireFiles,
  shareFile,
  type SharePlan,
} from './ceremony.js';
import { requireVault, sealStatuses, selectNodes } from './vault.js';

const WIPE = [
  'the shares of an init exist only in the memory of the process that made it: if that run was interrupted, they are lost',
  'stop every Vault node, wipe its storage (data bucket / raft directory), start the nodes again, and run the bootstrap ceremony from the start',
];

/** Which runbook finishes a cluster some earlier run already initialized. */
const ALREADY_INITIALIZED =
  'If a bootstrap ceremony was interrupted after its init, finish THAT run: vault-runbook resume <run-id> (`vault-runbook journal list` shows it; with its shares handed out, the keyholders unseal, make a new root token if the old one was lost, and the ceremony completes). If its shares were never handed out, nobody can unseal: wipe the storage and start again. If the ceremony finished, this cluster needs no ceremony: unseal with the unseal runbook, root work with generate-root';

/**
 * The ceremony run that initialized this cluster, from the journals (same profile, its init
 * succeeded), and what finishes it; the general advice when no journal here tells.
 */
function whatFinishes(ctx: ActionContext<unknown>): string {
  const profile = ctx.profile?.name;
  const runs = (ctx.ports.journals?.runs() ?? []).filter(
    (r) =>
      r.runbookId === 'bootstrap-ceremony' &&
      r.succeeded.includes('init') &&
      (profile === undefined || r.profileName === undefined || r.profileName === profile),
  );
  const run = runs[runs.length - 1];
  if (!run) return ALREADY_INITIALIZED;
  const handed = run.succeeded.includes('distribute');
  if (run.status === 'succeeded')
    return `The bootstrap ceremony ${run.runId} finished on it: no ceremony is needed. Unseal with the unseal runbook; root work with generate-root`;
  if (run.status === 'interrupted' || run.status === 'running?' || run.status.startsWith('waiting'))
    return `It was initialized by the bootstrap ceremony run ${run.runId}, which is ${run.status === 'running?' ? 'still running or was killed' : run.status}${handed ? ' after its shares were handed out' : ' before every share was handed out'}: finish THAT run with vault-runbook resume ${run.runId} (${handed ? 'the keyholders unseal, make a new root token if the old one was lost, and the ceremony completes' : 'it says whether enough keyholders received a share to go on, or that the storage must be wiped'})`;
  return `It was initialized by the bootstrap ceremony run ${run.runId}, which ended ${run.status}: vault-runbook journal show ${run.runId} says what is left. ${handed ? 'Its shares were handed out: unseal with the unseal runbook, root work with generate-root' : 'If its shares were never handed out, nobody can unseal: wipe the storage and start again'}`;
}

/** Every node answers and none is initialized: the only state a ceremony may start from. */
async function requireUninitialized(ctx: ActionContext<unknown>, vault: VaultPort): Promise<void> {
  const all = await sealStatuses(vault, vault.nodes(), ctx.signal);
  const down = all.filter((s) => !s.status);
  if (down.length)
    throw new Error(
      `cannot tell whether ${down.map((s) => `${s.node.name} (${s.error ?? '?'})`).join(', ')} is initialized: every node must answer before an init`,
    );
  const done = all.filter((s) => s.status?.initialized);
  if (done.length)
    throw new UsageError(
      `${done.map((s) => s.node.name).join(', ')} is already initialized: refusing to initialize again`,
      WIPE,
    );
}

function logPlan(ctx: ActionContext<unknown>, plan: SharePlan): void {
  ctx.log(
    `${plan.shares} shares, any ${plan.threshold} unseal; ${plan.pgp ? 'each share encrypted to its keyholder’s PGP key' : 'shares shown once to each keyholder'}`,
  );
  for (const h of plan.holders)
    ctx.log(
      `share ${h.index} → ${h.name}${h.fingerprint ? `  ${formatFingerprint(h.fingerprint)}` : ''}`,
    );
}

function planOutputs(plan: SharePlan) {
  return {
    shares: plan.shares,
    threshold: plan.threshold,
    pgp: plan.pgp,
    keyholders: plan.holders.map((h) => ({ ...h })),
    // What each keyholder checks before the init: without PGP keys there is no fingerprint.
    check: plan.pgp
      ? 'their share index, name and PGP key fingerprint'
      : 'their share index and name (no PGP keys: each share is shown on screen to its keyholder alone)',
  };
}

/**
 * The initial root token's accessor, journaled so a token lost with the process can still be
 * revoked. A sealed node (Shamir) answers no token call: then it is looked up after the unseal.
 */
async function accessorNow(
  ctx: ActionContext<unknown>,
  vault: VaultPort,
  node: VaultNode,
  token: Secret,
): Promise<string> {
  const s = await vault.sealStatus(node, ctx.signal).catch(() => undefined);
  if (!s || s.sealed) {
    ctx.log('the root token’s accessor is recorded once the nodes are unsealed');
    return '';
  }
  try {
    const info = await vault.tokenLookupSelf(node, token, ctx.signal);
    ctx.log(`initial root token accessor ${info.accessor}`);
    return info.accessor;
  } catch (err) {
    ctx.log(
      `could not look up the root token’s accessor yet (${errorMessage(err)}): it is recorded after the unseal`,
      'stderr',
    );
    return '';
  }
}

const PlanInput = z.strictObject({ shares: Count, threshold: Count });
type PlanInput = z.infer<typeof PlanInput>;

export const initPlanAction: ActionDef<PlanInput> = {
  id: 'vault.init-plan',
  summary:
    'Check the ceremony can start (every node answers, none initialized, keyholders and PGP keys in order) and list each share’s keyholder and key fingerprint',
  input: PlanInput,
  idempotent: true,
  human: false,
  describe: (i) =>
    `plan ${String(i.shares ?? 'one share per keyholder')} shares, threshold ${String(i.threshold ?? 3)}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const plan = await planShares(
      ctx,
      count(ctx.input.shares, 'shares'),
      count(ctx.input.threshold, 'threshold'),
    );
    await requireUninitialized(ctx, vault);
    logPlan(ctx, plan);
    return planOutputs(plan);
  },
};

const UninitInput = z.strictObject({ nodes: z.array(z.string()).optional() });

export const uninitializedCheck: ActionDef<z.infer<typeof UninitInput>> = {
  id: 'vault.uninitialized',
  summary:
    'Check that every selected node answers and none is initialized (outputs.ok), for preconditions',
  input: UninitInput,
  idempotent: true,
  human: false,
  describe: (i) => `check that ${i.nodes?.join(', ') ?? 'no node'} is initialized`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const all = await sealStatuses(vault, selectNodes(vault, ctx.input.nodes), ctx.signal);
    const down = all.filter((s) => !s.status).map((s) => s.node.name);
    const initialized = all.filter((s) => s.status?.initialized);
    const done = initialized.map((s) => s.node.name);
    const state = initialized
      .map((s) =>
        s.status?.sealed
          ? `${s.node.name} sealed (${s.status.progress}/${s.status.t} unseal shares entered)`
          : `${s.node.name} unsealed`,
      )
      .join(', ');
    return {
      // No node at all is not "none initialized": there is nothing to initialize.
      ok: all.length > 0 && down.length === 0 && done.length === 0,
      detail:
        [
          down.length ? `unreachable: ${down.join(', ')}` : '',
          done.length ? `already initialized: ${state}. ${whatFinishes(ctx)}` : '',
        ]
          .filter(Boolean)
          .join('; ') ||
        (all.length
          ? `${all.length} node(s), none initialized`
          : 'no Vault node is known (none in service)'),
      initialized: done,
      unreachable: down,
    };
  },
};

const InitInput = z.strictObject({
  shares: Count,
  threshold: Count,
  /** The node to initialize (the others share its storage); the first node by default. */
  node: z.string().optional(),
  /** A PGP public key file: the root token comes back encrypted to it. */
  'root-token-pgp-key': z.string().optional(),
  /** Where the handoff writes encrypted shares: checked free before the init. */
  dir: z.string().optional(),
});
type InitInput = z.infer<typeof InitInput>;

/**
 * sys/init. Shares and the root token come back as Secrets that stay in this run's memory
 * (step outputs the journal sees as ‹redacted›); with PGP keys each share is encrypted to its
 * keyholder, in the order of the profile's keyholders.
 */
export const initAction: ActionDef<InitInput> = {
  id: 'vault.init',
  summary:
    'Initialize Vault (shares/threshold, PGP-encrypted to the profile’s keyholders when they all have keys); shares and root token stay in run memory',
  input: InitInput,
  idempotent: false,
  human: false,
  describe: (i) =>
    `initialize ${i.node ?? 'the first node'} with ${String(i.shares ?? 'one share per keyholder')} shares, threshold ${String(i.threshold ?? 3)}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const plan = await planShares(
      ctx,
      count(ctx.input.shares, 'shares'),
      count(ctx.input.threshold, 'threshold'),
    );
    const rootKeyFile = ctx.input['root-token-pgp-key'];
    const rootKey = rootKeyFile
      ? parsePublicKey(await requireFiles(ctx).read(rootKeyFile, ctx.signal))
      : undefined;
    await requireUninitialized(ctx, vault);
    if (plan.pgp && ctx.input.dir !== undefined) {
      const dir = ctx.input.dir;
      await requireAbsent(
        ctx,
        plan.holders.map((h) => shareFile(dir, h.name)),
      );
    }
    const node = selectNodes(vault, ctx.input.node ? [ctx.input.node] : undefined)[0];
    if (!node) throw new Error('no Vault node to initialize');
    logPlan(ctx, plan);
    if (rootKey) ctx.log(`root token encrypted to ${formatFingerprint(rootKey.fingerprint)}`);
    const r = await vault.init(
      node,
      {
        secretShares: plan.shares,
        secretThreshold: plan.threshold,
        ...(plan.pgp ? { pgpKeys: plan.keys.map((k) => k.base64) } : {}),
        ...(rootKey ? { rootTokenPgpKey: rootKey.base64 } : {}),
      },
      ctx.signal,
    );
    for (const s of [...r.keys, ...r.keysBase64, r.rootToken]) ctx.registerSecret(s);
    const at = ctx.ports.clock.now().toISOString();
    ctx.log(
      `${node.name} initialized at ${at}: ${r.keys.length} shares held in memory until handed over`,
    );
    const rootAccessor = rootKey ? '' : await accessorNow(ctx, vault, node, r.rootToken);
    return {
      node: node.name,
      initialized_at: at,
      ...planOutputs(plan),
      // With PGP, `keys` is hex of each encrypted message; the base64 form is what gpg users get.
      keys: plan.pgp ? r.keysBase64 : r.keys,
      root_token: r.rootToken,
      root_accessor: rootAccessor,
      root_token_encrypted: rootKey !== undefined,
    };
  },
  async probe(ctx) {
    const vault = requireVault(ctx);
    const node = selectNodes(vault, ctx.input.node ? [ctx.input.node] : undefined)[0];
    if (!node) return { tookEffect: false, detail: 'no node to probe' };
    const s = await vault.sealStatus(node, ctx.signal);
    // Never report "took effect": the shares would be missing. The re-run fails loudly instead.
    return {
      tookEffect: false,
      detail: s.initialized
        ? `${node.name} IS ALREADY INITIALIZED: the interrupted init's shares are lost (they were only in that process's memory). ${WIPE[1] ?? ''}`
        : `${node.name} is not initialized: the init runs again`,
    };
  },
};
