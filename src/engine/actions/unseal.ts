import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import type { Secret } from '../../domain/secret.js';
import type { SealStatus, VaultNode, VaultPort } from '../vault.js';
import type { ActionContext, ActionDef } from './types.js';
import { requireVault, sealStatuses, selectNodes, type NodeSealState } from './vault.js';

const Input = z.strictObject({
  nodes: z.array(z.string()).optional(),
  /** How long to wait for a node that is down or restarting before giving up on it. */
  'wait-for-nodes': z.union([z.string(), z.number()]).optional(),
});
type Input = z.infer<typeof Input>;

/**
 * Vault's answers to input it cannot use as a share, as opposed to a wrong combination — which
 * Vault words as "invalid key: failed to decrypt keys from storage: cipher: message
 * authentication failed", so the combination test comes first.
 */
const WRONG =
  /message authentication failed|failed to decrypt keys|unable to retrieve stored keys/i;
const MALFORMED = /hex or base64|invalid key|malformed|illegal base64|encoding/i;
const isMalformed = (msg: string): boolean => !WRONG.test(msg) && MALFORMED.test(msg);

function line(s: NodeSealState): string {
  if (!s.status) return `${s.node.name}: unreachable (${s.error ?? '?'})`;
  if (!s.status.initialized) return `${s.node.name}: not initialized`;
  return s.status.sealed
    ? `${s.node.name}: sealed ${s.status.progress}/${s.status.t}`
    : `${s.node.name}: unsealed`;
}

/** A partial unseal that somebody else started: progress on the server, no share from us yet. */
async function handleStale(
  ctx: ActionContext<Input>,
  vault: VaultPort,
  states: NodeSealState[],
): Promise<void> {
  const stale = states.filter((s) => s.status?.sealed && s.status.progress > 0);
  if (stale.length === 0) return;
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
      { value: 'abort', label: 'Stop: find out who is unsealing first' },
    ],
  });
  if (a.value !== 'reset') throw new Error(`stopped: partial unseal in progress on ${detail}`);
  for (const s of stale) {
    await vault.unsealReset(s.node, ctx.signal);
    ctx.log(`${s.node.name}: partial unseal (nonce ${s.status?.nonce}) reset`);
  }
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
      await vault.unsealReset(node, signal).catch(() => undefined);
      return { error: errorMessage(err) };
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
    `ask keyholders for unseal shares and apply each to ${i.nodes?.join(', ') ?? 'every sealed node'}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const nodes = selectNodes(vault, ctx.input.nodes);
    let states = await sealStatuses(vault, nodes, ctx.signal);
    states.forEach((s) => ctx.log(line(s)));
    if (states.some((s) => s.status && !s.status.initialized))
      throw new Error('a node is not initialized: run the bootstrap ceremony first');
    await handleStale(ctx, vault, states);
    const accepted: Secret[] = [];
    let entries = 0;
    let refused = 0;
    for (;;) {
      states = await sealStatuses(vault, nodes, ctx.signal);
      const sealed = states.filter((s) => s.status?.sealed);
      const down = states.filter((s) => !s.status);
      if (sealed.length === 0 && down.length === 0) break;
      // A node that restarted (progress lost) or came up late catches up from the shares in memory.
      for (const s of sealed) {
        if (accepted.length === 0 || (s.status?.progress ?? 0) >= accepted.length) continue;
        await vault.unsealReset(s.node, ctx.signal).catch(() => undefined);
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
      const answer = await ctx.ask({
        type: 'secret',
        label: `unseal share ${accepted.length + 1} of ${t}`,
        message: `Keyholder ${accepted.length + 1} of ${t}: enter your unseal share. It is applied to ${stillSealed.map((s) => s.node.name).join(', ')} (nonce ${stillSealed[0]?.status?.nonce || 'new'}).`,
      });
      entries++;
      const share = answer.value;
      const results = await Promise.all(
        stillSealed.map(async (s) => ({
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
      if (failed.length > 0) {
        refused++;
        const malformed = failed.every((x) => isMalformed(x.r.error ?? ''));
        if (malformed) {
          // Vault refused the input itself; the reset node catches up from the shares in memory.
          ctx.log(
            `that share was refused as malformed (${failed[0]?.r.error ?? ''}); enter it again, checking for typos`,
            'stderr',
          );
        } else {
          // Shamir cannot tell which share of a wrong combination was wrong: start clean everywhere.
          accepted.length = 0;
          for (const s of stillSealed)
            await vault.unsealReset(s.node, ctx.signal).catch(() => undefined);
          ctx.log(
            `the ${t} shares did not combine into the key: one of them is wrong. Progress was reset on every node; each keyholder enters their share again`,
            'stderr',
          );
        }
        if (refused >= 10) throw new Error('ten shares refused: stopping');
        continue;
      }
      accepted.push(share);
    }
    const final = await sealStatuses(vault, nodes, ctx.signal);
    return {
      unsealed: final.filter((s) => s.status && !s.status.sealed).map((s) => s.node.name),
      entries,
      refused,
    };
  },
};
