import { describe, expect, it } from 'vitest';
import { Secret } from '../../domain/secret.js';
import { interpreterFor, runbookFrom, ScriptedAnswers } from '../../test-support/fakes.js';
import { FakeKeyholderVault } from '../../test-support/keyholder-vault.js';
import type { HumanAnswer, HumanPrompt } from '../human.js';
import type { ClipboardPort } from '../ports.js';
import { VaultApiError, type VaultNode, type VaultPort } from '../vault.js';
import { decodeRootToken } from '../root-token.js';

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

async function run(
  rb: string,
  vault: FakeKeyholderVault,
  answer: Answer,
  clipboard?: ClipboardPort,
) {
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

describe('decodeRootToken', () => {
  it('Given the encoded token and OTP of a real Vault 1.14 attempt, When decoded, Then it is the hvs. token', () => {
    const token = decodeRootToken(
      new Secret('GgM6Gy8yJDIgHh09PgBWMV8ya19Yax5AdlAQBw'),
      new Secret('ruI5KsGqTDGnOB7sjw259YutE5Js'),
    );
    expect(token.reveal()).toBe('hvs.dAcCtZZSqBaB5EYja2k43eZt');
    expect(JSON.stringify({ token })).not.toContain('hvs.');
  });

  it('Given an OTP of another length, When decoded, Then it refuses instead of guessing', () => {
    expect(() => decodeRootToken(new Secret('GgM6Gy8y'), new Secret('short'))).toThrow(/length/);
  });
});

describe('vault.generate-root + vault.break-glass + vault.revoke-self', () => {
  it('Given 3 keyholders, When each enters a share, Then every prompt carries the nonce, the token is made, used and revoked, and never journaled', async () => {
    const vault = new FakeKeyholderVault(shares);
    const { result, events, human } = await run(RB, vault, keyholders(shares.slice(0, 3)));
    expect(result).toMatchObject({ kind: 'finished', exitCode: 0 });
    const secrets = human.asked.filter((a) => a.prompt.type === 'secret');
    expect(secrets).toHaveLength(3);
    for (const s of secrets)
      expect(s.prompt.message).toContain('generate-root attempt, nonce:\n  nonce-1');
    expect(vault.live.size).toBe(0);
    expect(vault.calls).toContain('POST auth/token/revoke-self');
    expect(JSON.stringify(events)).not.toMatch(/hvs\.|otp-0123/);
  });

  it('Given a malformed and a repeated share, When entered, Then each is asked again and 3 good shares still finish', async () => {
    const vault = new FakeKeyholderVault(shares);
    const entries = ['aa11aa11', 'not-hex!', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const { result, events } = await run(RB, vault, keyholders(entries));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(JSON.stringify(events)).toMatch(/refused as malformed.*hex or base64/);
    expect(JSON.stringify(events)).toMatch(/already entered for this generate-root attempt/);
  });

  it('Given a wrong share in the combination, When the threshold is reached, Then everyone enters again under the same nonce', async () => {
    const vault = new FakeKeyholderVault(shares);
    const entries = ['aa11aa11', 'bb22bb22', '99999999', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const { result, human } = await run(RB, vault, keyholders(entries));
    expect(result).toMatchObject({ exitCode: 0 });
    const asked = human.asked.filter((a) => a.prompt.type === 'secret');
    expect(asked).toHaveLength(6);
    expect(asked.every((a) => a.prompt.message.includes('nonce-1'))).toBe(true);
  });

  it('Given an attempt nobody here started, When the step runs, Then the choice shows its nonce and progress, and "abort" leaves it alone', async () => {
    const vault = new FakeKeyholderVault(shares);
    vault.gr = { nonce: 'theirs', got: ['aa11aa11'] };
    const { result, human } = await run(
      RB,
      vault,
      keyholders([], () => ({ type: 'choose', value: 'abort' })),
    );
    expect(result).toMatchObject({ kind: 'finished', exitCode: 1 });
    const choose = human.asked.find((a) => a.prompt.type === 'choose');
    expect(choose?.prompt.message).toMatch(/nonce theirs, 1\/3/);
    expect(vault.gr?.nonce).toBe('theirs');
  });

  it('Given a stale attempt, When the operator cancels it, Then a new attempt with a new nonce makes the token', async () => {
    const vault = new FakeKeyholderVault(shares);
    vault.gr = { nonce: 'theirs', got: ['aa11aa11'] };
    const { result, human } = await run(RB, vault, keyholders(shares.slice(0, 3)));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(vault.calls).toContain('DELETE sys/generate-root/attempt');
    const first = human.asked.find((a) => a.prompt.type === 'secret');
    expect(first?.prompt.message).not.toContain('theirs');
  });

  it('Given keyholders who stop half-way, When the step fails, Then the attempt is cancelled', async () => {
    const vault = new FakeKeyholderVault(shares);
    let n = 0;
    const { result } = await run(RB, vault, (p) => {
      if (p.type === 'secret' && n++ === 1) throw new Error('keyholder walked away');
      return keyholders(shares)(p, 'generate');
    });
    expect(result).toMatchObject({ exitCode: 1 });
    expect(vault.gr).toBeUndefined();
    expect(vault.calls.at(-1)).toBe('DELETE sys/generate-root/attempt');
  });

  it('Given a clipboard, When the operator accepts the copy, Then the token goes to the clipboard for 30 s and never into a prompt', async () => {
    const vault = new FakeKeyholderVault(shares);
    const copies: { text: string; ms: number }[] = [];
    const clip: ClipboardPort = {
      copy: (text, ms) => Promise.resolve(void copies.push({ text, ms })),
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
    const vault = new FakeKeyholderVault(shares);
    const clip: ClipboardPort = {
      copy: () => Promise.reject(new Error('no display')),
      clear: () => Promise.resolve({ kind: 'nothing' }),
    };
    const { result, events } = await run(RB, vault, keyholders(shares.slice(0, 3)), clip);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(JSON.stringify(events)).toMatch(/could not copy to the clipboard \(no display\)/);
    expect(vault.live.size).toBe(0);
  });

  it('Given a live token, When the break-glass window ends early, Then the token is revoked by the window itself', async () => {
    const vault = new FakeKeyholderVault(shares);
    const base = keyholders(shares.slice(0, 3));
    const { result } = await run(RB, vault, (p, step) => {
      if (p.type === 'instructions') throw new Error('aborted by the operator');
      return base(p, step);
    });
    expect(result).toMatchObject({ exitCode: 1 });
    expect(vault.calls.filter((c) => c === 'POST auth/token/revoke-self')).toHaveLength(1);
    expect(vault.live.size).toBe(0);
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
    const vault = new FakeKeyholderVault(shares);
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
    expect(vault.calls).toContain('DELETE sys/generate-root/attempt');
    expect(vault.gr).toBeUndefined();
    expect(vault.live.size).toBe(0);
    const prompts = human.asked.map((a) => a.prompt.message);
    expect(prompts.slice(0, 3).every((m) => m.includes('rekey attempt, nonce:'))).toBe(true);
    expect(prompts.slice(3).every((m) => m.includes('NEW unseal share'))).toBe(true);
  });

  it('Given a stale rekey, When the operator cancels it, Then it is deleted and a new one starts', async () => {
    const vault = new FakeKeyholderVault(shares);
    vault.rk = { nonce: 'old-rekey', got: ['aa11aa11'], n: 5, t: 3 };
    const answers = keyholders(shares.slice(0, 3), () => ({ type: 'choose', value: 'cancel' }));
    const rb = REKEY.replace(/\n {2}- \{ id: verify.*\n/, '\n');
    const { result, human } = await run(rb, vault, answers);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked[0]?.prompt.message).toMatch(/nonce old-rekey, 1\/3/);
    expect(vault.calls).toContain('DELETE sys/rekey/init');
  });

  it('Given a rekey that Vault did not apply, When the old shares are checked, Then the step fails loudly', async () => {
    const vault = new FakeKeyholderVault(shares);
    const original = vault.request.bind(vault);
    // Vault "completes" the rekey but the old shares stay valid.
    vault.request = async (n, req) => {
      const r = await original(n, req);
      if (req.path === 'sys/rekey/update' && (r as { complete?: boolean }).complete)
        vault.valid = new Set(shares);
      return r;
    };
    const rb = REKEY.replace(/\n {2}- \{ id: verify.*\n/, '\n');
    const { result, interpreter } = await run(rb, vault, keyholders(shares.slice(0, 3)));
    expect(result).toMatchObject({ exitCode: 1 });
    expect(JSON.stringify(interpreter.state.steps.rekey)).toMatch(
      /OLD shares still make a root token/,
    );
    expect(vault.live.size).toBe(0);
  });

  it('Given require-verification, When a wrong NEW share is entered, Then the new nonce is shown and the rekey takes effect only after the new shares', async () => {
    const vault = new FakeKeyholderVault(shares);
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
      if (i === 4) expect(vault.valid.has(shares[0] ?? '')).toBe(true);
      return { type: 'secret', value: new Secret(v ?? '') };
    });
    expect(result, JSON.stringify(interpreter.state.steps)).toMatchObject({ exitCode: 0 });
    const msgs = human.asked.map((a) => a.prompt.message);
    expect(msgs[3]).toMatch(/rekey verification attempt, nonce:\s+nonce-2/);
    expect(msgs[5]).toMatch(/nonce:\s+nonce-3/);
    expect(vault.valid).toEqual(new Set(vault.newShares));
    expect(interpreter.state.steps.verify).toMatchObject({
      outputs: { verified: true, old_shares_rejected: true },
    });
  });

  it('Given require-verification, When the keyholders cannot give their new shares, Then the rekey is cancelled and the old shares stay in force', async () => {
    const vault = new FakeKeyholderVault(shares);
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
    expect(vault.calls.at(-1)).toBe('DELETE sys/rekey/init');
    expect(vault.verify).toBeUndefined();
    expect(vault.valid).toEqual(new Set(shares));
  });
});

/** Two nodes; `failover()` seals the active one (its attempt dies with it) and node-2 takes over. */
class FailoverVault extends FakeKeyholderVault {
  active = 0;
  readonly two: VaultNode[] = [
    { name: 'node-1', address: 'https://node-1:8200' },
    { name: 'node-2', address: 'https://node-2:8200' },
  ];
  override nodes(): readonly VaultNode[] {
    return this.two;
  }
  override health(n?: VaultNode): ReturnType<VaultPort['health']> {
    const code = n?.address === this.two[this.active]?.address ? 200 : 503;
    return Promise.resolve({ reachable: true, code, body: {} });
  }
  override request(n: VaultNode, req: Parameters<VaultPort['request']>[1]): Promise<unknown> {
    if (n.address !== this.two[this.active]?.address)
      return Promise.reject(new VaultApiError(`${req.path}: Vault is sealed`, 503));
    return super.request(n, req);
  }
  failover(): void {
    this.active = 1;
    this.gr = undefined;
    this.rk = undefined;
  }
}

describe('vault.generate-root across a failover', () => {
  it('Given the active node is sealed mid-way, When the next share fails, Then a new attempt starts on the new active node and the keyholders finish there', async () => {
    const vault = new FailoverVault(shares);
    let typed = 0;
    const entries = ['aa11aa11', 'bb22bb22', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const { result, events, human } = await run(RB, vault, (p, step) => {
      if (p.type === 'secret') {
        if (typed === 1) vault.failover(); // while keyholder 2 types
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
    expect(vault.live.size).toBe(0);
  });

  it('Given the active node is sealed during a rekey, When the next old share fails, Then a new rekey attempt starts on the new active node and finishes there', async () => {
    const vault = new FailoverVault(shares);
    let typed = 0;
    const entries = ['aa11aa11', 'bb22bb22', 'aa11aa11', 'bb22bb22', 'cc33cc33'];
    const rb = `id: r
title: R
steps:
  - { id: rekey, uses: vault.rekey, with: { shares: 5, threshold: 3, pgp: never } }
`;
    const { result, events, human } = await run(rb, vault, (p, step) => {
      if (p.type === 'secret') {
        if (typed === 1) vault.failover();
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
