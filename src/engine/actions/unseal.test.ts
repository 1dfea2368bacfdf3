import { describe, expect, it } from 'vitest';
import { Secret } from '../../domain/secret.js';
import { interpreterFor, runbookFrom, ScriptedAnswers } from '../../test-support/fakes.js';
import type { HumanAnswer, HumanPrompt } from '../human.js';
import type { SealStatus, VaultNode, VaultPort } from '../vault.js';

/** Vault's unseal semantics in miniature: t shares from the valid set unseal; a bad combination resets. */
class FakeNode {
  submitted: string[] = [];
  sealed = true;
  down = false;
  constructor(
    readonly valid: ReadonlySet<string>,
    readonly t: number,
  ) {}
  status(): SealStatus {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:8200');
    return {
      initialized: true,
      sealed: this.sealed,
      t: this.t,
      n: 5,
      progress: this.submitted.length,
      nonce: this.submitted.length ? 'nonce-1' : '',
      version: '1.14.8',
    };
  }
  unseal(key: string): SealStatus {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:8200');
    if (!/^[0-9a-f]{8,}$/.test(key)) throw new Error('invalid key');
    // Vault takes a share it already holds without an error and without progress.
    if (this.submitted.includes(key)) return this.status();
    this.submitted.push(key);
    if (this.submitted.length >= this.t) {
      const ok = this.submitted.every((k) => this.valid.has(k));
      this.submitted = [];
      // Vault 1.14's exact words for a wrong combination (they contain "invalid key").
      if (!ok)
        throw new Error(
          'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed',
        );
      this.sealed = false;
    }
    return this.status();
  }
}

function fakeVault(nodes: Record<string, FakeNode>): VaultPort & { calls: string[] } {
  const list: VaultNode[] = Object.keys(nodes).map((name) => ({
    name,
    address: `https://${name}:8200`,
  }));
  const get = (n: VaultNode): FakeNode => nodes[n.name] as FakeNode;
  const calls: string[] = [];
  const no = (): Promise<never> => Promise.reject(new Error('n/a'));
  return {
    calls,
    nodes: () => list,
    sealStatus: (n) => {
      try {
        return Promise.resolve(get(n).status());
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
    unseal: (n, key) => {
      calls.push(`unseal ${n.name}`);
      try {
        return Promise.resolve(get(n).unseal(key.reveal()));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
    unsealReset: (n) => {
      if (get(n).down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8200'));
      get(n).submitted = [];
      return Promise.resolve(get(n).status());
    },
    health: no,
    init: no,
    seal: no,
    stepDown: no,
    leader: no,
    request: no,
  };
}

const RB = 'id: u\ntitle: U\nsteps:\n  - { id: shares, uses: human.unseal-shares }\n';

async function unseal(vault: VaultPort, answer: (p: HumanPrompt, n: number) => HumanAnswer) {
  let n = 0;
  const human = new ScriptedAnswers((_s, p) => answer(p, n++));
  const { run: go, events } = interpreterFor(runbookFrom(RB), { human, vault });
  const result = await go();
  return { result, events, human };
}

const shares = ['aa11aa11', 'bb22bb22', 'cc33cc33', 'dd44dd44', 'ee55ee55'];
const valid = new Set(shares);

describe('human.unseal-shares', () => {
  it('Given 3 sealed nodes and threshold 3, When keyholders enter shares, Then exactly 3 entries unseal all of them', async () => {
    const nodes = {
      'node-1': new FakeNode(valid, 3),
      'node-2': new FakeNode(valid, 3),
      'node-3': new FakeNode(valid, 3),
    };
    const { result, events, human } = await unseal(fakeVault(nodes), (_p, i) => ({
      type: 'secret',
      value: new Secret(shares[i] ?? ''),
    }));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(3);
    expect(Object.values(nodes).every((n) => !n.sealed)).toBe(true);
    expect(events.find((e) => e.type === 'step-succeeded')).toMatchObject({
      outputs: { entries: 3, unsealed: ['node-1', 'node-2', 'node-3'] },
    });
    expect(JSON.stringify(events)).not.toMatch(/aa11aa11|bb22bb22|cc33cc33/);
  });

  it('Given a malformed share, When entered, Then it is refused, the node is reset and caught up, and only that share is asked again', async () => {
    const nodes = { 'node-1': new FakeNode(valid, 2) };
    const typed = ['aa11aa11', 'not-hex!', 'bb22bb22'];
    const { result, events, human } = await unseal(fakeVault(nodes), (_p, i) => ({
      type: 'secret',
      value: new Secret(typed[i] ?? ''),
    }));
    expect(result).toMatchObject({ exitCode: 0 });
    // Only the keyholder who mistyped enters again: the first share is re-applied from memory.
    expect(human.asked.length).toBe(3);
    expect(nodes['node-1'].sealed).toBe(false);
    expect(JSON.stringify(events)).toContain('refused as malformed');
  });

  it('Given a wrong share in the combination, When the threshold is reached, Then every node is reset and all keyholders enter again', async () => {
    const nodes = { 'node-1': new FakeNode(valid, 2), 'node-2': new FakeNode(valid, 2) };
    const typed = ['aa11aa11', '99999999', 'aa11aa11', 'bb22bb22'];
    const { result, events, human } = await unseal(fakeVault(nodes), (_p, i) => ({
      type: 'secret',
      value: new Secret(typed[i] ?? ''),
    }));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked.length).toBe(4);
    expect(JSON.stringify(events)).toContain('did not combine into the key');
  });

  it('Given a stale partial unseal nobody here started, When the step begins, Then a reset is offered before any share is asked', async () => {
    const n1 = new FakeNode(valid, 2);
    n1.submitted = ['dd44dd44'];
    const { result, human } = await unseal(fakeVault({ 'node-1': n1 }), (p, i) =>
      p.type === 'choose'
        ? { type: 'choose', value: 'reset' }
        : { type: 'secret', value: new Secret(shares[i - 1] ?? '') },
    );
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked[0]?.prompt).toMatchObject({
      type: 'choose',
      message: expect.stringMatching(/node-1 1\/2 nonce nonce-1/),
    });
  });

  it('Given a node restarts mid-way, When later shares arrive, Then it catches up from the shares already entered', async () => {
    const n2 = new FakeNode(valid, 3);
    const nodes = { 'node-1': new FakeNode(valid, 3), 'node-2': n2 };
    const { result, human } = await unseal(fakeVault(nodes), (_p, i) => {
      if (i === 2) n2.submitted = []; // node-2 restarted after the second share
      return { type: 'secret', value: new Secret(shares[i] ?? '') };
    });
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(3);
    expect(n2.sealed).toBe(false);
  });

  it('Given a keyholder enters a share already entered (even as base64), When it is submitted, Then it is not counted and the next keyholder is asked', async () => {
    const nodes = { 'node-1': new FakeNode(valid, 3), 'node-2': new FakeNode(valid, 3) };
    // 'aa11aa11' again, then the same bytes in base64, then two new shares.
    const typed = [
      'aa11aa11',
      'aa11aa11',
      Buffer.from('aa11aa11', 'hex').toString('base64'),
      'bb22bb22',
      'cc33cc33',
    ];
    const vault = fakeVault(nodes);
    const { result, events, human } = await unseal(vault, (_p, i) => ({
      type: 'secret',
      value: new Secret(typed[i] ?? ''),
    }));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(5);
    const labels = human.asked.map((a) => (a.prompt.type === 'secret' ? a.prompt.label : ''));
    expect(labels).toEqual([
      'unseal share 1 of 3',
      'unseal share 2 of 3',
      'unseal share 2 of 3',
      'unseal share 2 of 3',
      'unseal share 3 of 3',
    ]);
    expect(JSON.stringify(events).match(/already entered here/g)).toHaveLength(2);
    // Recognised before Vault saw them: 3 distinct shares × 2 nodes, no catch-up re-sends.
    expect(vault.calls).toHaveLength(6);
    expect(Object.values(nodes).every((n) => !n.sealed)).toBe(true);
  });

  it('Given someone else enters a share on a node mid-way, When the next prompt comes, Then it is named with its nonce, and a share Vault already holds is not counted', async () => {
    const n1 = new FakeNode(valid, 3);
    const { result, events, human } = await unseal(fakeVault({ 'node-1': n1 }), (_p, i) => {
      if (i === 1) n1.submitted.push('dd44dd44'); // another operator, elsewhere
      const typed = ['aa11aa11', 'dd44dd44', 'bb22bb22'];
      return { type: 'secret', value: new Secret(typed[i] ?? '') };
    });
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(3);
    const text = JSON.stringify(events);
    expect(text).toContain('someone else is entering shares on it too (nonce nonce-1)');
    expect(text).toContain('Vault already had that share');
    expect(n1.sealed).toBe(false);
  });

  it('Given a node stops answering while a share is sent, When it comes back restarted, Then nobody re-enters: the share counts and the node catches up', async () => {
    const n2 = new FakeNode(valid, 3);
    const nodes = { 'node-1': new FakeNode(valid, 3), 'node-2': n2 };
    const vault = fakeVault(nodes);
    const unsealN2 = vault.unseal.bind(vault);
    let died = false;
    vault.unseal = (n, key, signal) => {
      // node-2 dies just as the second share reaches it, and is back (restarted) before the third.
      if (n.name === 'node-2' && n2.submitted.length === 1 && !died) {
        died = true;
        n2.down = true;
        n2.submitted = [];
      }
      return unsealN2(n, key, signal);
    };
    const { result, events, human } = await unseal(vault, (_p, i) => {
      if (i === 2) n2.down = false;
      return { type: 'secret', value: new Secret(shares[i] ?? '') };
    });
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(3);
    const text = JSON.stringify(events);
    expect(text).not.toContain('did not combine');
    expect(text).toContain('node-2: caught up with 3 share(s): unsealed');
    expect(Object.values(nodes).every((n) => !n.sealed)).toBe(true);
  });

  it('Given a stale partial unseal the operator knows (their interrupted run), When they keep it, Then only the remaining shares are asked', async () => {
    const n1 = new FakeNode(valid, 3);
    const n2 = new FakeNode(valid, 3);
    n1.submitted = ['dd44dd44'];
    n2.submitted = ['dd44dd44'];
    const { result, events, human } = await unseal(
      fakeVault({ 'node-1': n1, 'node-2': n2 }),
      (p, i) =>
        p.type === 'choose'
          ? { type: 'choose', value: 'continue' }
          : { type: 'secret', value: new Secret(shares[i - 1] ?? '') },
    );
    expect(result).toMatchObject({ exitCode: 0 });
    const labels = human.asked.map((a) => (a.prompt.type === 'secret' ? a.prompt.label : 'choose'));
    expect(labels).toEqual(['choose', 'unseal share 2 of 3', 'unseal share 3 of 3']);
    expect(JSON.stringify(events)).not.toContain('someone else');
    expect(n1.sealed || n2.sealed).toBe(false);
  });
});
