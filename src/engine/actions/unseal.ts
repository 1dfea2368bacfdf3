import { z } from 'zod';
import { parseDuration, formatDuration } from '../../domain/duration.js';
import { errorMessage, UsageError } from '../../domain/errors.js';
import type { Secret } from '../../domain/secret.js';
import { sameShare } from '../../domain/secret-crypto.js';
import type { SealStatus, VaultNode, VaultPort } from '../vault.js';
import { cleanup } from '../cleanup.js';
import { timedAsk } from './failover-common.js';
import { MALFORMED } from './keyholder-shares.js';
import type { ActionContext, ActionDef } from './types.js';
import { Region, requireVault, sealStatuses, selectNodes, type NodeSealState } from './vault.js';

const Input = z.strictObject({
  nodes: z.array(z.string()).optional(),
  /** Without `nodes`: every node of this region (`dr`: a failover's promoted cluster). */
  region: Region,
  /** How long to wait for a node that is down or restarting before giving up on it. */
  'wait-for-nodes': z.union([z.string(), z.number()]).optional(),
});
type Input = z.infer<typeof Input>;

/**
 * A wrong unseal combination, which Vault words as "invalid key: failed to decrypt keys from
 * storage: cipher: message authentication failed" — so it is tested before MALFORMED.
 */
const WRONG =
  /message authentication failed|failed to decrypt keys|unable to retrieve stored keys/i;
const isMalformed = (msg: string): boolean => !WRONG.test(msg) && MALFORMED.test(msg);
/** Vault judged the share (bad input or bad combination), as opposed to not answering. */
const isVerdict = (msg: string): boolean => WRONG.test(msg) || MALFORMED.test(msg);

function line(s: NodeSealState): string {
  if (!s.status) return `${s.node.name}: unreachable (${s.error ?? '?'})`;
  if (!s.status.initialized) return `${s.node.name}: not initialized`;
  return s.status.sealed
    ? `${s.node.name}: sealed ${s.status.progress}/${s.status.t}`
    : `${s.node.name}: unsealed`;
}

/**
 * A partial unseal that nobody entered here: progress on the server, no share from us yet.
 * Returns the progress kept per node when the operator keeps it (their own interrupted run,
 * or a colleague handing over), after a reset an empty map.
 */
async function handleStale(
  ctx: ActionContext<Input>,
  vault: VaultPort,
  states: NodeSealState[],
): Promise<Map<string, number>> {
  const kept = new Map<string, number>();
  const stale = states.filter((s) => s.status?.sealed && s.status.progress > 0);
  if (stale.length === 0) return kept;
  const detail = stale
    .map((s) => `${s.node.name} ${s.status?.progress}/${s.status?.t} nonce ${s.status?.nonce}`)
    .join(', ');
  const a = await ctx.ask({
    type: 'choose',
    message: `A partial unseal is already in progress that nobody entered here (${detail}). Someone else may be unsealing right now — or an old attempt was left behind. Reset it?`,
    options: [
      {
        value: 'reset',
        label: 'Reset the partial unseal and start over',
        description: 'sys/unseal reset=true on those nodes',
      },
      {
        value: 'continue',
        label: 'Keep it: the remaining keyholders add their shares',
        description:
          'only when you know whose shares those are (an interrupted run of yours, a colleague handing over)',
      },
      { value: 'abort', label: 'Stop: find out who is unsealing first' },
    ],
  });
  if (a.value === 'continue') {
    for (const s of stale) kept.set(s.node.name, s.status?.progress ?? 0);
    ctx.log(`keeping the partial unseal: ${detail}`);
    return kept;
  }
  if (a.value !== 'reset') throw new Error(`stopped: partial unseal in progress on ${detail}`);
  for (const s of stale) {
    await vault.unsealReset(s.node, ctx.signal);
    ctx.log(`${s.node.name}: partial unseal (nonce ${s.status?.nonce}) reset`);
  }
  return kept;
}

function waitForNodesMs(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (err) {
    throw new UsageError(`wait-for-nodes: ${errorMessage(err)}`);
  }
}

/**
 * The nodes to unseal, found again on each pass when the profile discovers them (a restarted
 * group's nodes appear while the keyholders type). `wait-for-nodes` bounds both the wait for a
 * first node and how long a node may stay down before it is given up on; without it a down
 * node is waited for (the step's timeout bounds that).
 */
function nodeFinder(ctx: ActionContext<Input>, vault: VaultPort, waitMs: number | undefined) {
  const explicit = ctx.input.nodes !== undefined;
  const downSince = new Map<string, number>();
  const gaveUp: string[] = [];
  const now = (): number => ctx.ports.clock.now().getTime();
  const find = async (): Promise<VaultNode[]> => {
    if (!explicit) await vault.refresh?.(ctx.signal);
    return selectNodes(vault, ctx.input.nodes, ctx.input.region).filter(
      (n) => !gaveUp.includes(n.name),
    );
  };
  return {
    gaveUp,
    async first(): Promise<VaultNode[]> {
      const end = now() + (explicit ? 0 : (waitMs ?? 0));
      for (;;) {
        const nodes = await find();
        if (nodes.length > 0) return nodes;
        if (now() >= end)
          throw new Error(
            explicit
              ? 'no node to unseal: the step was given an empty node list'
              : `no Vault node to unseal${waitMs ? ` after waiting ${formatDuration(waitMs)}` : ''} (the cluster has no node in service): start it, then run this step again`,
          );
        ctx.log('no Vault node yet: waiting for the cluster to start');
        await ctx.ports.clock.sleep(1000, ctx.signal);
      }
    },
    async now(last: readonly NodeSealState[]): Promise<VaultNode[]> {
      if (waitMs !== undefined)
        for (const s of last) {
          if (s.status) downSince.delete(s.node.name);
          else if (!downSince.has(s.node.name)) downSince.set(s.node.name, now());
          else if (now() - (downSince.get(s.node.name) ?? 0) > waitMs) gaveUp.push(s.node.name);
        }
      return find();
    },
  };
}

/** Applies every accepted share to one node until it is unsealed or a share is refused. */
async function applyShares(
  vault: VaultPort,
  node: VaultNode,
  shares: readonly Secret[],
  signal: AbortSignal,
): Promise<{ status?: SealStatus; error?: string }> {
  let status: SealStatus | undefined;
  for (const share of shares) {
    try {
      status = await vault.unseal(node, share, signal);
    } catch (err) {
      // Vault keeps the node's progress on a refused share: clear it so the next attempt is clean.
      const reset = await vault.unsealReset(node, signal).then(
        () => '',
        (e: unknown) =>
          `; resetting its unseal progress failed too (${errorMessage(e)}) — reset it by hand: vault operator unseal -reset (on ${node.address})`,
      );
      return { error: `${errorMessage(err)}${reset}` };
    }
    if (!status.sealed) return { status };
  }
  return status ? { status } : {};
}

/**
 * Keyholders each enter their share once; every share is applied to every sealed node, so N
 * sealed nodes need `threshold` entries, not threshold × N. Shares stay in memory only for this
 * step, so a node that restarts or appears mid-way gets them again without asking anyone.
 */
export const unsealSharesAction: ActionDef<Input> = {
  id: 'human.unseal-shares',
  summary:
    'Keyholders enter unseal shares (masked); each is applied to every sealed node; stale partial unseals are offered a reset',
  input: Input,
  idempotent: true,
  human: true,
  describe: (i) =>
    `ask keyholders for unseal shares and apply each to ${i.nodes?.join(', ') ?? `every sealed ${i.region === 'dr' ? 'DR ' : ''}node`}`,
  async run(outer) {
    // Time at the prompt is the keyholders', not the automation's (a failover's RTO subtracts it).
    const spent = { ms: 0 };
    const ctx = timedAsk(outer, spent);
    const vault = requireVault(ctx);
    const waitMs = waitForNodesMs(ctx.input['wait-for-nodes']);
    const current = nodeFinder(ctx, vault, waitMs);
    let nodes = await current.first();
    let states = await sealStatuses(vault, nodes, ctx.signal);
    states.forEach((s) => ctx.log(line(s)));
    if (states.some((s) => s.status && !s.status.initialized))
      throw new Error('a node is not initialized: run the bootstrap ceremony first');
    // Progress on a node that counts without a share in `accepted`: a partial unseal kept.
    const kept = await handleStale(ctx, vault, states);
    const expected = (name: string): number => accepted.length + (kept.get(name) ?? 0);
    const accepted: Secret[] = [];
    let entries = 0;
    let refused = 0;
    const othersWarned = new Set<string>();
    for (;;) {
      nodes = await current.now(states);
      states = await sealStatuses(vault, nodes, ctx.signal);
      const sealed = states.filter((s) => s.status?.sealed);
      const down = states.filter((s) => !s.status);
      if (sealed.length === 0 && down.length === 0) break;
      // A node that restarted (progress lost) or came up late catches up from the shares in memory.
      for (const s of sealed) {
        if (accepted.length === 0 || (s.status?.progress ?? 0) >= expected(s.node.name)) continue;
        // What it held besides our shares is gone with the restart.
        kept.delete(s.node.name);
        await cleanup(
          {
            what: `${s.node.name}: resetting its partial unseal before catching up`,
            done: `${s.node.name}: partial unseal reset before catching up`,
            byHand: `its shares are applied anyway; if they are refused, reset by hand: vault operator unseal -reset (on ${s.node.address})`,
            run: () => vault.unsealReset(s.node, ctx.signal),
          },
          ctx,
        );
        const r = await applyShares(vault, s.node, accepted, ctx.signal);
        ctx.log(
          r.error
            ? `${s.node.name}: catching up failed: ${r.error}`
            : `${s.node.name}: caught up with ${accepted.length} share(s): ${r.status?.sealed ? `${r.status.progress}/${r.status.t}` : 'unsealed'}`,
        );
      }
      states = await sealStatuses(vault, nodes, ctx.signal);
      const stillSealed = states.filter((s) => s.status?.sealed);
      if (stillSealed.length === 0) {
        if (states.every((s) => s.status)) break;
        ctx.log(
          `waiting for ${states
            .filter((s) => !s.status)
            .map((s) => s.node.name)
            .join(', ')} to come back`,
        );
        await ctx.ports.clock.sleep(1000, ctx.signal);
        continue;
      }
      const t = stillSealed[0]?.status?.t ?? 0;
      const progress = stillSealed
        .map((s) => `${s.node.name} ${s.status?.progress ?? 0}/${s.status?.t ?? t}`)
        .join(', ');
      const next = Math.min(t, Math.max(...stillSealed.map((s) => s.status?.progress ?? 0)) + 1);
      const answer = await ctx.ask({
        type: 'secret',
        label: `unseal share ${next} of ${t}`,
        message: `Keyholder ${next} of ${t}: enter your unseal share. It is applied to every sealed node (${progress}).`,
      });
      entries++;
      const share = answer.value;
      if (accepted.some((a) => sameShare(a, share))) {
        // Vault would take it without a word and without progress: say so, and ask the next one.
        ctx.log(
          'that share was already entered here: Vault counts each share once. The next keyholder enters theirs',
          'stderr',
        );
        continue;
      }
      // Progress right before the share goes in, so "did it count?" is measured on this share
      // alone, and shares somebody else entered during the prompt are seen.
      const before = await sealStatuses(
        vault,
        stillSealed.map((s) => s.node),
        ctx.signal,
      );
      for (const s of before) {
        const p = s.status?.progress ?? 0;
        if (s.status?.sealed && p > expected(s.node.name) && !othersWarned.has(s.node.name)) {
          othersWarned.add(s.node.name);
          ctx.log(
            `${s.node.name} is at ${p}/${t} but ${expected(s.node.name)} share(s) were entered or kept here: someone else is entering shares on it too (nonce ${s.status.nonce})`,
            'stderr',
          );
        }
      }
      const targets = before.filter((s) => s.status?.sealed);
      const results = await Promise.all(
        targets.map(async (s) => ({
          s,
          r: await applyShares(vault, s.node, [share], ctx.signal),
        })),
      );
      const failed = results.filter((x) => x.r.error);
      for (const { s, r } of results)
        ctx.log(
          r.error
            ? `${s.node.name}: share refused: ${r.error}`
            : `${s.node.name}: ${r.status?.sealed ? `${r.status.progress}/${r.status.t}` : 'unsealed'}`,
        );
      // A node that went away while the share was sent is not a verdict on the share: it
      // catches up from memory when it is back.
      const verdicts = failed.filter((x) => isVerdict(x.r.error ?? ''));
      const took = results.filter((x) => !x.r.error);
      if (verdicts.length === 0 && took.length === 0) {
        ctx.log(
          'no sealed node answered while that share was sent: enter it again once they are back',
          'stderr',
        );
        continue;
      }
      if (verdicts.length > 0) {
        refused++;
        const malformed = verdicts.every((x) => isMalformed(x.r.error ?? ''));
        if (malformed) {
          // Vault refused the input itself; the reset node catches up from the shares in memory.
          ctx.log(
            `that share was refused as malformed: enter it again, checking for typos (${verdicts[0]?.r.error ?? ''})`,
            'stderr',
          );
        } else {
          // Shamir cannot tell which share of a wrong combination was wrong: start clean everywhere.
          accepted.length = 0;
          kept.clear();
          const notReset: string[] = [];
          for (const s of stillSealed)
            await vault.unsealReset(s.node, ctx.signal).catch((e: unknown) => {
              notReset.push(`${s.node.name} (${errorMessage(e)})`);
            });
          ctx.log(
            `the ${t} shares did not combine into the key: one of them is wrong. ${
              notReset.length === 0
                ? 'Progress was reset on every node'
                : `Progress was reset on ${stillSealed.length - notReset.length} of ${stillSealed.length} node(s); resetting failed on ${notReset.join(', ')} — reset those by hand (vault operator unseal -reset)`
            }; each keyholder enters their share again`,
            'stderr',
          );
        }
        if (refused >= 10) throw new Error('ten shares refused: stopping');
        continue;
      }
      const unchanged = took.every(
        ({ s, r }) => r.status?.sealed && r.status.progress <= (s.status?.progress ?? 0),
      );
      if (unchanged) {
        // Vault already held this share on every node (someone else entered it): not one more.
        ctx.log(
          'Vault already had that share (its progress did not move): the next keyholder enters theirs',
          'stderr',
        );
        continue;
      }
      accepted.push(share);
    }
    const final = await sealStatuses(vault, nodes, ctx.signal);
    const unsealed = final.filter((s) => s.status && !s.status.sealed).map((s) => s.node.name);
    // Nothing unsealed is never a success: a later step would wait on a sealed cluster.
    if (unsealed.length === 0)
      throw new Error(
        `no node was unsealed${current.gaveUp.length ? ` (gave up on ${current.gaveUp.join(', ')}: down longer than ${formatDuration(waitMs ?? 0)})` : ''}`,
      );
    if (current.gaveUp.length)
      ctx.log(
        `gave up on ${current.gaveUp.join(', ')} (down longer than ${formatDuration(waitMs ?? 0)}): unseal them when they are back (run unseal again)`,
        'stderr',
      );
    return {
      unsealed,
      gave_up: current.gaveUp,
      entries,
      refused,
      human_ms: spent.ms,
    };
  },
};
