import { describe, expect, it } from 'vitest';
import { Secret } from '../../domain/secret.js';
import { interpreterFor, runbookFrom, ScriptedAnswers } from '../../test-support/fakes.js';
import { FakeVault } from '../../test-support/fake-vault.js';
import type { HumanAnswer, HumanPrompt } from '../human.js';
import type { ClipboardPort } from '../ports.js';

const shares = ['aa11aa11', 'bb22bb22', 'cc33cc33', 'dd44dd44', 'ee55ee55'];

const RB = `id: g
title: G
steps:
  - { id: generate, uses: vault.generate-root }
  - id: window
    uses: vault.break-glass
    with: { token: "\${{ steps.generate.outputs.token }}", accessor: "\${{ steps.generate.outputs.accessor }}" }
  - id: revoke
    uses: vault.revoke-self
    with: { token: "\${{ steps.generate.outputs.token }}" }
`;

type Answer = (p: HumanPrompt, step: string) => HumanAnswer | Promise<HumanAnswer>;

/** Keyholders type the given entries in order; confirms and instructions say yes. */
function keyholders(
  entries: readonly string[],
  extra: Answer = () => ({ type: 'choose', value: 'cancel' }),
): Answer {
  let i = 0;
  return (p, step) => {
    if (p.type === 'secret')
      return { type: 'secret', value: new Secret(entries[i++] ?? 'ffffffff') };
    if (p.type === 'instructions') return { type: 'instructions', done: true };
    if (p.type === 'confirm') return { type: 'confirm', value: true };
    return extra(p, step);
  };
}

async function run(rb: string, vault: FakeVault, answer: Answer, clipboard?: ClipboardPort) {
  const human = new ScriptedAnswers((step, p) => answer(p, step));
  const {
    run: go,
    events,
    interpreter,
  } = interpreterFor(runbookFrom(rb), {
    human,
    vault,
    ...(clipboard ? { clipboard } : {}),
  });
  const result = await go();
  return { result, events, human, interpreter };
}

/** Someone else's generate-root attempt with one share in: its nonce. */
async function someoneElsesAttempt(vault: FakeVault): Promise<string> {
  const node = vault.nodes()[0]!;
  const signal = AbortSignal.timeout(1000);
  const { status, otp } = await vault.generateRootStart(node, { kind: 'otp' }, signal);
  await vault.generateRootUpdate(node, new Secret('aa11aa11'), status.nonce, otp, signal);
  return status.nonce;
}

describe('vault.generate-root + vault.break-glass + vault.revoke-self', () => {
  it('Given 3 keyholders, When each enters a share, Then every prompt carries the nonce, the token is made, used and revoked, and never journaled', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const { result, events, human } = await run(RB, vault, keyholders(shares.slice(0, 3)));
    expect(result).toMatchObject({ kind: 'finished', exitCode: 0 });
    const secrets = human.asked.filter((a) => a.prompt.type === 'secret');
    expect(secrets).toHaveLength(3);
    for (const s of secrets)
      expect(s.prompt.message).toContain('generate-root attempt, nonce:\n  nonce-1');
    expect(vault.live('generate-root').length).toBe(0);
    expect(vault.calls).toContain('tokenRevokeSelf node-1');
    expect(JSON.stringify(events)).not.toMatch(/hvs\.|otp-0123/);
  });

  it('Given a malformed and a repeated share, When entered, Then each is asked again and 3 good shares still finish', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const entries = ['aa11aa11', 'not-hex!', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const { result, events } = await run(RB, vault, keyholders(entries));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(JSON.stringify(events)).toMatch(/refused as malformed.*hex or base64/);
    expect(JSON.stringify(events)).toMatch(/already entered for this generate-root attempt/);
  });

  it('Given a wrong share in the combination, When the threshold is reached, Then everyone enters again under the same nonce', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const entries = ['aa11aa11', 'bb22bb22', '99999999', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const { result, human } = await run(RB, vault, keyholders(entries));
    expect(result).toMatchObject({ exitCode: 0 });
    const asked = human.asked.filter((a) => a.prompt.type === 'secret');
    expect(asked).toHaveLength(6);
    expect(asked.every((a) => a.prompt.message.includes('nonce-1'))).toBe(true);
  });

  it('Given an attempt nobody here started, When the step runs, Then the choice shows its nonce and progress, and "abort" leaves it alone', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const theirs = await someoneElsesAttempt(vault);
    const { result, human } = await run(
      RB,
      vault,
      keyholders([], () => ({ type: 'choose', value: 'abort' })),
    );
    expect(result).toMatchObject({ kind: 'finished', exitCode: 1 });
    const choose = human.asked.find((a) => a.prompt.type === 'choose');
    expect(choose?.prompt.message).toContain(`nonce ${theirs}, 1/3`);
    expect(vault.state('node-1').generateRoot?.nonce).toBe(theirs);
  });

  it('Given a stale attempt, When the operator cancels it, Then a new attempt with a new nonce makes the token', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const theirs = await someoneElsesAttempt(vault);
    const { result, human } = await run(RB, vault, keyholders(shares.slice(0, 3)));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(vault.calls).toContain('generateRootCancel node-1');
    const first = human.asked.find((a) => a.prompt.type === 'secret');
    expect(first?.prompt.message).not.toContain(theirs);
  });

  it('Given keyholders who stop half-way, When the step fails, Then the attempt is cancelled', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    let n = 0;
    const { result } = await run(RB, vault, (p) => {
      if (p.type === 'secret' && n++ === 1) throw new Error('keyholder walked away');
      return keyholders(shares)(p, 'generate');
    });
    expect(result).toMatchObject({ exitCode: 1 });
    expect(vault.state('node-1').generateRoot).toBeUndefined();
    expect(vault.calls.at(-1)).toBe('generateRootCancel node-1');
  });

  it('Given a clipboard, When the operator accepts the copy, Then the token goes to the clipboard for 30 s and never into a prompt', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const copies: { text: string; ms: number }[] = [];
    const clip: ClipboardPort = {
      copy: (secret, ms) => Promise.resolve(void copies.push({ text: secret.reveal(), ms })),
      clear: () => Promise.resolve({ kind: 'nothing' }),
    };
    const { result, human, events } = await run(RB, vault, keyholders(shares.slice(0, 3)), clip);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(copies).toHaveLength(1);
    expect(copies[0]?.text).toMatch(/^hvs\./);
    expect(copies[0]?.ms).toBe(30_000);
    for (const a of human.asked) expect(JSON.stringify(a.prompt)).not.toContain(copies[0]?.text);
    expect(JSON.stringify(events)).not.toContain(copies[0]?.text);
  });

  it('Given a clipboard that fails (SSH), When copying, Then the window stays open and ends normally', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const clip: ClipboardPort = {
      copy: () => Promise.reject(new Error('no display')),
      clear: () => Promise.resolve({ kind: 'nothing' }),
    };
    const { result, events } = await run(RB, vault, keyholders(shares.slice(0, 3)), clip);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(JSON.stringify(events)).toMatch(/could not copy to the clipboard \(no display\)/);
    expect(vault.live('generate-root').length).toBe(0);
  });

  it('Given a revoke that fails, When the break-glass window ends early, Then the log says the revoke failed, why, and the command to revoke by accessor — never "revoked"', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    vault.faults.revokeFails = true;
    const base = keyholders(shares.slice(0, 3));
    const { result, events } = await run(RB, vault, (p, step) => {
      if (p.type === 'instructions') throw new Error('aborted by the operator');
      return base(p, step);
    });
    expect(result).toMatchObject({ exitCode: 1 });
    const [token] = vault.live('generate-root');
    expect(token).toBeDefined();
    const text = JSON.stringify(events);
    expect(text).toContain(
      `the window ended early, and revoking the root token failed: internal error — revoke it by hand now: vault token revoke -accessor ${token?.accessor}`,
    );
    expect(text).not.toMatch(/root token was revoked/);
  });

  it('Given a revoke that fails, When generate-root fails after the token was made, Then the log says so and names the accessor', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    vault.faults.revokeFails = true;
    // Vault hands out a token without the root policy: the step refuses it and revokes it.
    const lookup = vault.tokenLookupSelf.bind(vault);
    vault.tokenLookupSelf = async (n, t, s) => ({
      ...(await lookup(n, t, s)),
      policies: ['default'],
    });
    const { result, events } = await run(RB, vault, keyholders(shares.slice(0, 3)));
    expect(result).toMatchObject({ exitCode: 1 });
    const [token] = vault.live('generate-root');
    const text = JSON.stringify(events);
    expect(text).toContain(
      `the step failed, and revoking the new root token failed: internal error — revoke it by hand now: vault token revoke -accessor ${token?.accessor}`,
    );
    expect(text).not.toMatch(/root token was revoked/);
  });

  it('Given a live token, When the break-glass window ends early, Then the token is revoked by the window itself', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const base = keyholders(shares.slice(0, 3));
    const { result } = await run(RB, vault, (p, step) => {
      if (p.type === 'instructions') throw new Error('aborted by the operator');
      return base(p, step);
    });
    expect(result).toMatchObject({ exitCode: 1 });
    expect(vault.calls.filter((c) => c === 'tokenRevokeSelf node-1')).toHaveLength(1);
    expect(vault.live('generate-root').length).toBe(0);
  });
});

const REKEY = `id: r
title: R
steps:
  - { id: rekey, uses: vault.rekey, with: { shares: 5, threshold: 3, pgp: never } }
  - { id: verify, uses: vault.check-shares }
`;

describe('vault.rekey + vault.check-shares', () => {
  it('Given the old shares, When rekeyed without PGP, Then the old shares are proved dead, the new ones are outputs, and keyholders prove them', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    let i = 0;
    const old = shares.slice(2, 5);
    // Three old shares for the rekey, then three of the new ones (made by then) for the check.
    const { result, human, interpreter } = await run(REKEY, vault, (p) => {
      if (p.type !== 'secret') throw new Error(`unexpected ${p.type}`);
      const v = i < 3 ? old[i] : vault.newShares[i - 3];
      i++;
      return { type: 'secret', value: new Secret(v ?? '') };
    });
    expect(result, JSON.stringify(interpreter.state.steps)).toMatchObject({ exitCode: 0 });
    const rekey = interpreter.state.steps.rekey;
    expect(rekey).toMatchObject({
      kind: 'succeeded',
      outputs: { old_shares_rejected: true, pgp: false },
    });
    const outputs = (rekey as unknown as { outputs: { shares: Secret[] } }).outputs;
    expect(outputs.shares.map((s) => s.reveal())).toEqual(vault.newShares);
    // Old shares went to a generate-root attempt that Vault refused and that was cancelled.
    expect(vault.calls).toContain('generateRootCancel node-1');
    expect(vault.state('node-1').generateRoot).toBeUndefined();
    expect(vault.live('generate-root').length).toBe(0);
    const prompts = human.asked.map((a) => a.prompt.message);
    expect(prompts.slice(0, 3).every((m) => m.includes('rekey attempt, nonce:'))).toBe(true);
    expect(prompts.slice(3).every((m) => m.includes('NEW unseal share'))).toBe(true);
  });

  it('Given a stale rekey, When the operator cancels it, Then it is deleted and a new one starts', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const node = vault.nodes()[0]!;
    const stale = await vault.rekeyStart(
      node,
      { shares: 5, threshold: 3 },
      AbortSignal.timeout(1000),
    );
    await vault.rekeyUpdate(node, new Secret('aa11aa11'), stale.nonce, AbortSignal.timeout(1000));
    const answers = keyholders(shares.slice(0, 3), () => ({ type: 'choose', value: 'cancel' }));
    const rb = REKEY.replace(/\n {2}- \{ id: verify.*\n/, '\n');
    const { result, human } = await run(rb, vault, answers);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked[0]?.prompt.message).toContain(`nonce ${stale.nonce}, 1/3`);
    expect(vault.calls).toContain('rekeyCancel node-1');
  });

  it('Given a rekey that Vault did not apply, When the old shares are checked, Then the step fails loudly', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    // Vault "completes" the rekey but the old shares stay valid.
    vault.faults.rekeyNotApplied = true;
    const rb = REKEY.replace(/\n {2}- \{ id: verify.*\n/, '\n');
    const { result, interpreter } = await run(rb, vault, keyholders(shares.slice(0, 3)));
    expect(result).toMatchObject({ exitCode: 1 });
    expect(JSON.stringify(interpreter.state.steps.rekey)).toMatch(
      /OLD shares still make a root token/,
    );
    expect(vault.live('generate-root').length).toBe(0);
  });

  it('Given require-verification, When a wrong NEW share is entered, Then the new nonce is shown and the rekey takes effect only after the new shares', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const rb = `id: r
title: R
steps:
  - id: rekey
    uses: vault.rekey
    with: { shares: 3, threshold: 2, pgp: never, require-verification: true }
  - { id: verify, uses: vault.rekey-verify, with: { old: "\${{ steps.rekey.outputs.old_shares }}" } }
`;
    let i = 0;
    const { result, human, interpreter } = await run(rb, vault, (p) => {
      if (p.type !== 'secret') throw new Error(`unexpected ${p.type}`);
      // old ×3, then new: one right, one wrong (starts over), then two right
      const n = vault.newShares;
      const v = [shares[0], shares[1], shares[2], n[0], 'abababab', n[0], n[1]][i++];
      // Before the verification completes, the old shares still unseal.
      if (i === 4) expect(vault.cluster.shares.includes(shares[0] ?? '')).toBe(true);
      return { type: 'secret', value: new Secret(v ?? '') };
    });
    expect(result, JSON.stringify(interpreter.state.steps)).toMatchObject({ exitCode: 0 });
    const msgs = human.asked.map((a) => a.prompt.message);
    expect(msgs[3]).toMatch(/rekey verification attempt, nonce:\s+nonce-2/);
    expect(msgs[5]).toMatch(/nonce:\s+nonce-3/);
    expect(vault.cluster.shares).toEqual(vault.newShares);
    expect(interpreter.state.steps.verify).toMatchObject({
      outputs: { verified: true, old_shares_rejected: true },
    });
  });

  it('Given require-verification, When the keyholders cannot give their new shares, Then the rekey is cancelled and the old shares stay in force', async () => {
    const vault = FakeVault.unsealedWith(shares, 3);
    const rb = `id: r
title: R
steps:
  - { id: rekey, uses: vault.rekey, with: { shares: 3, threshold: 2, pgp: never, require-verification: true } }
  - { id: verify, uses: vault.rekey-verify }
`;
    let i = 0;
    const { result } = await run(rb, vault, (p) => {
      if (p.type === 'secret' && i < 3)
        return { type: 'secret', value: new Secret(shares[i++] ?? '') };
      throw new Error('nobody has the new shares');
    });
    expect(result).toMatchObject({ exitCode: 1 });
    expect(vault.calls.at(-1)).toBe('rekeyCancel node-1');
    expect(vault.state('node-1').rekey).toBeUndefined();
    expect(vault.cluster.shares).toEqual(shares);
  });
});

/** Two unsealed nodes, node-1 active; `vault.crash('node-1')` ends its attempts and node-2 takes over. */
const twoNodes = (): FakeVault =>
  FakeVault.unsealedWith(shares, 3, { nodes: ['node-1', 'node-2'] });

describe('vault.generate-root across a failover', () => {
  it('Given the active node is sealed mid-way, When the next share fails, Then a new attempt starts on the new active node and the keyholders finish there', async () => {
    const vault = twoNodes();
    let typed = 0;
    const entries = ['aa11aa11', 'bb22bb22', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const { result, events, human } = await run(RB, vault, (p, step) => {
      if (p.type === 'secret') {
        if (typed === 1) vault.crash('node-1'); // while keyholder 2 types
        return { type: 'secret', value: new Secret(entries[typed++] ?? 'ffffffff') };
      }
      return keyholders([])(p, step);
    });
    expect(result).toMatchObject({ exitCode: 0 });
    const text = JSON.stringify(events);
    expect(text).toContain(
      'every keyholder enters their share again: node-1 is no longer the active node',
    );
    expect(text).toContain('generate-root attempt started on node-2: nonce nonce-2');
    const nonces = human.asked
      .filter((a) => a.prompt.type === 'secret')
      .map((a) => /nonce:\n {2}(\S+)/.exec(a.prompt.message)?.[1]);
    expect(nonces).toEqual(['nonce-1', 'nonce-1', 'nonce-2', 'nonce-2', 'nonce-2']);
    expect(vault.live('generate-root').length).toBe(0);
  });

  it('Given the active node is sealed during a rekey, When the next old share fails, Then a new rekey attempt starts on the new active node and finishes there', async () => {
    const vault = twoNodes();
    let typed = 0;
    const entries = ['aa11aa11', 'bb22bb22', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const rb = `id: r
title: R
steps:
  - { id: rekey, uses: vault.rekey, with: { shares: 5, threshold: 3, pgp: never } }
`;
    const { result, events, human } = await run(rb, vault, (p, step) => {
      if (p.type === 'secret') {
        if (typed === 1) vault.crash('node-1');
        return { type: 'secret', value: new Secret(entries[typed++] ?? 'ffffffff') };
      }
      return keyholders([])(p, step);
    });
    expect(result).toMatchObject({ exitCode: 0 });
    const text = JSON.stringify(events);
    expect(text).toContain(
      'every keyholder enters their current share again: node-1 is no longer the active node',
    );
    expect(text).toMatch(/rekey attempt started on node-2/);
    expect(human.asked.filter((a) => a.prompt.type === 'secret')).toHaveLength(5);
  });
});
