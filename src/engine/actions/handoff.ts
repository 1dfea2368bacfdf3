import { z } from 'zod';
import { errorMessage } from '../../domain/errors.js';
import type { Profile } from '../../domain/schema.js';
import { isSecret, type Secret } from '../../domain/secret.js';
import { armorEncryptedShare, provesTail } from '../../domain/secret-crypto.js';
import type { ActionContext, ActionDef } from './types.js';
import {
  clearAfterMs,
  fileSafe,
  keyholderProblem,
  requireFiles,
  secretIn,
  shareFile,
  type Holder,
} from './ceremony.js';

export interface HandOverOptions {
  readonly holder: string;
  readonly label: string;
  readonly secret: Secret;
  readonly proofLength: number;
  readonly clearAfterMs: number;
}

/** Takes a copied secret back from the clipboard, and says what that did. */
export async function takeBack(
  ctx: ActionContext<unknown>,
  holder: string,
  label: string,
): Promise<void> {
  const r = await ctx.ports.clipboard?.clear();
  switch (r?.kind) {
    case undefined:
    case 'nothing':
      return;
    case 'cleared':
      ctx.log(`${holder}'s ${label} cleared from the clipboard`);
      return;
    case 'changed':
      ctx.log(
        `the clipboard no longer holds ${holder}'s ${label} (something else was copied): left alone`,
      );
      return;
    case 'failed':
      ctx.log(
        `could not clear ${holder}'s ${label} from the clipboard (${r.error}): clear it by hand before the next person comes`,
        'stderr',
      );
      return;
  }
}

/**
 * Hands one secret to one person: the keyboard goes to them, the secret is shown until they
 * say it is recorded, they type its last characters to prove it, and only then does the next
 * person come — to a page that shows nothing of the previous secret.
 */
export async function handOver(ctx: ActionContext<unknown>, o: HandOverOptions): Promise<string> {
  const tail = o.secret.tail(o.proofLength);
  const clip = ctx.ports.clipboard;
  await ctx.ask({
    type: 'instructions',
    message: `Pass the keyboard to ${o.holder} for their ${o.label}. Everyone else: step away from the screen.`,
    ack: `${o.holder} has the keyboard and is alone at the screen`,
  });
  let reopen: { copied?: boolean; error?: string } | undefined;
  let copied = false;
  try {
    for (;;) {
      const a = await ctx.ask({
        type: 'handoff',
        message: `${o.holder}: record your ${o.label}`,
        holder: o.holder,
        label: o.label,
        secret: o.secret,
        proofLength: tail.length,
        copyable: clip !== undefined,
        clearAfterSeconds: Math.round(o.clearAfterMs / 1000),
        ...(reopen ? { reopen } : {}),
      });
      if (a.action === 'copy') {
        if (!clip) {
          reopen = { error: 'there is no clipboard here: write it down' };
          continue;
        }
        try {
          await clip.copy(o.secret, o.clearAfterMs);
          copied = true;
        } catch (err) {
          // No display server (an SSH session): writing it down is the way.
          reopen = { error: `could not copy (${errorMessage(err)}): write it down` };
          continue;
        }
        ctx.log(
          `${o.holder}: ${o.label} copied to the clipboard (cleared once proved, at the latest after ${Math.round(o.clearAfterMs / 1000)} s)`,
        );
        reopen = { copied: true };
        continue;
      }
      const proof = await ctx.ask({
        type: 'secret',
        label: `last ${tail.length} characters`,
        message: `${o.holder}: type the last ${tail.length} characters of your ${o.label}, from what you recorded.`,
      });
      if (provesTail(o.secret, proof.value, o.proofLength)) break;
      ctx.log(
        `${o.holder}: the characters typed are not the end of the ${o.label}; shown again`,
        'stderr',
      );
      reopen = { error: `that is not how your ${o.label} ends: check what you recorded` };
    }
  } finally {
    // Proved, aborted (Ctrl-C), or failed: the next person must not find the share in the
    // clipboard, so it is taken back now rather than when the timer runs out.
    if (copied) await takeBack(ctx, o.holder, o.label);
  }
  const at = ctx.ports.clock.now().toISOString();
  ctx.log(`${o.label} handed to ${o.holder} (recorded and proved) at ${at}`);
  return at;
}

const Holder = z.strictObject({
  index: z.number().int().min(1),
  name: z.string(),
  fingerprint: z.string().optional(),
});

const SHARES_LOST = 'they are lost: wipe the storage of every node and start the ceremony again';

const Input = z.strictObject({
  /**
   * The shares, or — after the process died mid-handoff — what the journal kept of them
   * (‹redacted›): then the keyholders who already received theirs decide what can go on.
   */
  keys: z.union([z.array(secretIn('the unseal shares', SHARES_LOST)), z.array(z.string())]),
  /** Shares needed to unseal: whether the keyholders served before an interruption suffice. */
  threshold: z.number().int().min(1).optional(),
  /**
   * Without PGP: leave a receipt (no secret) per keyholder served in `dir`, so a run resumed
   * after the process died knows who holds a share. With PGP the share files tell.
   */
  receipts: z.boolean().default(false),
  keyholders: z.array(Holder),
  pgp: z.boolean(),
  /** Where encrypted shares are written as `<name>.share.asc`. */
  dir: z.string().default('ceremony'),
  'proof-length': z.number().int().min(1).max(16).default(6),
  'clear-after': z.union([z.string(), z.number()]).optional(),
});
type Input = z.input<typeof Input>;

/**
 * A plain share handed over leaves a receipt (no secret in it: the run, the index, the time),
 * so a run resumed after the process died knows who already holds a share.
 */
function receiptFile(dir: string, name: string): string {
  return `${dir}/${fileSafe(name)}.share.received`;
}

async function writeReceipt(
  ctx: ActionContext<unknown>,
  dir: string,
  h: Holder,
  at: string,
): Promise<void> {
  const files = ctx.ports.files;
  if (!files) return;
  try {
    await files.writeNew(
      receiptFile(dir, h.name),
      `run ${ctx.runId}: unseal share ${h.index} received by ${h.name} at ${at}\n`,
      ctx.signal,
    );
  } catch (err) {
    ctx.log(`could not write ${h.name}'s receipt (${errorMessage(err)})`, 'stderr');
  }
}

/** Who received their share before the process died: PGP share files, or plain receipts. */
async function servedBefore(
  ctx: ActionContext<unknown>,
  input: z.output<typeof Input>,
): Promise<{ index: number; name: string }[] | undefined> {
  const files = ctx.ports.files;
  if (!files || (!input.pgp && !input.receipts)) return undefined;
  const served = [];
  for (const h of input.keyholders) {
    if (input.pgp) {
      // The init refused to run while any of these files existed: they are this run's.
      if (await files.exists(shareFile(input.dir, h.name))) served.push(h);
      continue;
    }
    const f = receiptFile(input.dir, h.name);
    if (!(await files.exists(f))) continue;
    const text = Buffer.from(await files.read(f, ctx.signal)).toString('utf8');
    if (text.startsWith(`run ${ctx.runId}:`)) served.push(h);
  }
  return served.map((h) => ({ index: h.index, name: h.name }));
}

/**
 * The process died during the handoff: the shares not yet handed out are gone. With at least
 * `threshold` keyholders served the cluster can still be unsealed, so the ceremony goes on;
 * with fewer it never can, and the only way on is to wipe and start again.
 */
async function afterLoss(
  ctx: ActionContext<unknown>,
  input: z.output<typeof Input>,
): Promise<Record<string, unknown>> {
  const served = await servedBefore(ctx, input);
  const t = input.threshold;
  if (!served || t === undefined)
    throw new Error(
      `the unseal shares not yet handed out existed only in the memory of the process that died, and this run cannot tell who received theirs (see vault-runbook journal show ${ctx.runId}): if fewer than the threshold did, ${SHARES_LOST}`,
    );
  const lost = input.keyholders.filter((h) => !served.some((s) => s.index === h.index));
  const names = (l: readonly { name: string; index: number }[]) =>
    l.map((h) => `${h.name} (share ${h.index})`).join(', ') || 'nobody';
  if (served.length < t)
    throw new Error(
      `Vault is initialized but ${served.length === 0 ? 'no share was' : `only ${served.length} of the ${t} shares needed to unseal were`} handed out before the process died${served.length ? ` (${names(served)})` : ''}; the ${served.length ? 'others' : 'shares'} existed only in its memory and are lost, so this cluster can never be unsealed: wipe the storage of every node and start the ceremony again`,
    );
  ctx.log(
    `the process died during the handoff: ${names(lost)} never received a share, which is lost. ${served.length} keyholders hold shares and ${t} unseal, so the ceremony goes on; afterwards, rekey (rekey runbook) so every keyholder holds a share again`,
    'stderr',
  );
  return {
    mode: input.pgp ? 'pgp' : 'plain',
    holders: served.map((h) => ({ ...h, at: 'before the interruption' })),
    lost: lost.map((h) => ({ index: h.index, name: h.name })),
  };
}

/** The one static fact a headless run can check before anything is initialized. */
function headlessProblem(
  w: Record<string, unknown>,
  profile: Profile | undefined,
): string | undefined {
  if (w.pgp === true) return undefined;
  const k = profile?.keyholders ?? [];
  if (
    w.pgp === undefined &&
    k.length > 0 &&
    !keyholderProblem(profile) &&
    k.every((h) => h.pgp_key)
  )
    return undefined;
  return k.length === 0
    ? 'the profile names no keyholders with PGP keys, so the unseal shares would be shown in plain text; a headless run cannot show them to anyone and never writes them to a pipe'
    : `keyholders without a PGP key (${k
        .filter((h) => !h.pgp_key)
        .map((h) => h.name)
        .join(
          ', ',
        )}) would get their share in plain text on screen; a headless run cannot show it and never writes it to a pipe`;
}

export const keyholderHandoffAction: ActionDef<Input> = {
  id: 'human.keyholder-handoff',
  summary:
    'Give each keyholder their share: encrypted to <dir>/<name>.share.asc with PGP, else shown once on screen to that keyholder, who proves they recorded it',
  input: Input,
  idempotent: false,
  human: true,
  headless: headlessProblem,
  describe: (i) =>
    i.pgp
      ? `write ${i.keyholders.length} PGP-encrypted shares to ${i.dir ?? 'ceremony'}/<name>.share.asc`
      : `hand ${i.keyholders.length} shares over one keyholder at a time: ${i.keyholders.map((h) => h.name).join(', ')}`,
  async run(ctx) {
    const input = Input.parse(ctx.input);
    const { keyholders } = input;
    const keys = input.keys.filter(isSecret);
    if (keys.length < input.keys.length) return afterLoss(ctx, input);
    if (keys.length !== keyholders.length)
      throw new Error(`${keys.length} shares for ${keyholders.length} keyholders`);
    if (input.pgp) {
      const files = requireFiles(ctx);
      const out = [];
      for (const [i, h] of keyholders.entries()) {
        const share = keys[i];
        if (!share) continue;
        const text = armorEncryptedShare(share);
        const file = await files.writeNew(shareFile(input.dir, h.name), text, ctx.signal);
        const at = ctx.ports.clock.now().toISOString();
        ctx.log(
          `share ${h.index} of ${keys.length} → ${file} (encrypted to ${h.name}, ${h.fingerprint ?? '?'})`,
        );
        out.push({ index: h.index, name: h.name, fingerprint: h.fingerprint ?? '', file, at });
      }
      ctx.log(`each keyholder decrypts theirs offline: gpg -dq <name>.share.asc`);
      return { mode: 'pgp', holders: out };
    }
    const out = [];
    for (const [i, h] of keyholders.entries()) {
      const share = keys[i];
      if (!share) continue;
      const at = await handOver(ctx, {
        holder: h.name,
        label: `unseal share ${h.index} of ${keys.length}`,
        secret: share,
        proofLength: input['proof-length'],
        clearAfterMs: clearAfterMs(input['clear-after']),
      });
      out.push({ index: h.index, name: h.name, at });
      if (input.receipts) await writeReceipt(ctx, input.dir, h, at);
    }
    return { mode: 'plain', holders: out };
  },
};
