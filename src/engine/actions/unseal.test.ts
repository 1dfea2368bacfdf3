import { describe, expect, it } from 'vitest';
import { Secret } from '../../domain/secret.js';
import { interpreterFor, runbookFrom, ScriptedAnswers } from '../../test-support/fakes.js';
import type { HumanAnswer, HumanPrompt } from '../human.js';
import { FakeVault } from '../../test-support/fake-vault.js';
import type { VaultPort } from '../vault.js';

const sealed = (t: number, ...names: string[]): FakeVault =>
  FakeVault.sealedWith(shares, t, { nodes: names.length ? names : ['node-1'] });
const signal = (): AbortSignal => AbortSignal.timeout(1000);
const unsealCalls = (v: FakeVault): string[] => v.calls.filter((c) => c.startsWith('unseal '));
const allUnsealed = (v: FakeVault): boolean => v.nodes().every((n) => !v.state(n.name).sealed);

const RB = 'id: u\ntitle: U\nsteps:\n  - { id: shares, uses: human.unseal-shares }\n';

async function unseal(vault: VaultPort, answer: (p: HumanPrompt, n: number) => HumanAnswer) {
  let n = 0;
  const human = new ScriptedAnswers((_s, p) => answer(p, n++));
  const { run: go, events } = interpreterFor(runbookFrom(RB), { human, vault });
  const result = await go();
  return { result, events, human };
}

const shares = ['aa11aa11', 'bb22bb22', 'cc33cc33', 'dd44dd44', 'ee55ee55'];

describe('human.unseal-shares', () => {
  it('Given 3 sealed nodes and threshold 3, When keyholders enter shares, Then exactly 3 entries unseal all of them', async () => {
    const vault = sealed(3, 'node-1', 'node-2', 'node-3');
    const { result, events, human } = await unseal(vault, (_p, i) => ({
      type: 'secret',
      value: new Secret(shares[i] ?? ''),
    }));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(3);
    expect(allUnsealed(vault)).toBe(true);
    expect(events.find((e) => e.type === 'step-succeeded')).toMatchObject({
      outputs: { entries: 3, unsealed: ['node-1', 'node-2', 'node-3'] },
    });
    expect(JSON.stringify(events)).not.toMatch(/aa11aa11|bb22bb22|cc33cc33/);
  });

  it('Given a malformed share, When entered, Then it is refused, the node is reset and caught up, and only that share is asked again', async () => {
    const vault = sealed(2);
    const typed = ['aa11aa11', 'not-hex!', 'bb22bb22'];
    const { result, events, human } = await unseal(vault, (_p, i) => ({
      type: 'secret',
      value: new Secret(typed[i] ?? ''),
    }));
    expect(result).toMatchObject({ exitCode: 0 });
    // Only the keyholder who mistyped enters again: the first share is re-applied from memory.
    expect(human.asked.length).toBe(3);
    expect(allUnsealed(vault)).toBe(true);
    expect(JSON.stringify(events)).toContain('refused as malformed');
  });

  it('Given a wrong share in the combination, When the threshold is reached, Then every node is reset and all keyholders enter again', async () => {
    const vault = sealed(2, 'node-1', 'node-2');
    const typed = ['aa11aa11', '99999999', 'aa11aa11', 'bb22bb22'];
    const { result, events, human } = await unseal(vault, (_p, i) => ({
      type: 'secret',
      value: new Secret(typed[i] ?? ''),
    }));
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked.length).toBe(4);
    expect(JSON.stringify(events)).toContain('did not combine into the key');
  });

  it('Given a stale partial unseal nobody here started, When the step begins, Then a reset is offered before any share is asked', async () => {
    const vault = sealed(2);
    await vault.unseal(vault.nodes()[0]!, new Secret('dd44dd44'), signal());
    const { result, human } = await unseal(vault, (p, i) =>
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
    const vault = sealed(3, 'node-1', 'node-2');
    const { result, human } = await unseal(vault, (_p, i) => {
      if (i === 2) vault.crash('node-2'); // node-2 restarted after the second share
      return { type: 'secret', value: new Secret(shares[i] ?? '') };
    });
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(3);
    expect(vault.state('node-2').sealed).toBe(false);
  });

  it('Given a keyholder enters a share already entered (even as base64), When it is submitted, Then it is not counted and the next keyholder is asked', async () => {
    // 'aa11aa11' again, then the same bytes in base64, then two new shares.
    const typed = [
      'aa11aa11',
      'aa11aa11',
      Buffer.from('aa11aa11', 'hex').toString('base64'),
      'bb22bb22',
      'cc33cc33',
    ];
    const vault = sealed(3, 'node-1', 'node-2');
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
    expect(unsealCalls(vault)).toHaveLength(6);
    expect(allUnsealed(vault)).toBe(true);
  });

  it('Given someone else enters a share on a node mid-way, When the next prompt comes, Then it is named with its nonce, and a share Vault already holds is not counted', async () => {
    const vault = sealed(3);
    const { result, events, human } = await unseal(vault, (_p, i) => {
      if (i === 1) vault.state('node-1').unseal?.got.push('dd44dd44'); // another operator, elsewhere
      const typed = ['aa11aa11', 'dd44dd44', 'bb22bb22'];
      return { type: 'secret', value: new Secret(typed[i] ?? '') };
    });
    expect(result).toMatchObject({ exitCode: 0 });
    expect(human.asked).toHaveLength(3);
    const text = JSON.stringify(events);
    expect(text).toContain('someone else is entering shares on it too (nonce nonce-1)');
    expect(text).toContain('Vault already had that share');
    expect(allUnsealed(vault)).toBe(true);
  });

  it('Given a node stops answering while a share is sent, When it comes back restarted, Then nobody re-enters: the share counts and the node catches up', async () => {
    const vault = sealed(3, 'node-1', 'node-2');
    const n2 = vault.state('node-2');
    const unsealN2 = vault.unseal.bind(vault);
    let died = false;
    vault.unseal = (n, key, signal) => {
      // node-2 dies just as the second share reaches it, and is back (restarted) before the third.
      if (n.name === 'node-2' && n2.unseal?.got.length === 1 && !died) {
        died = true;
        vault.crash('node-2');
        n2.down = true;
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
    expect(allUnsealed(vault)).toBe(true);
  });

  it('Given a stale partial unseal the operator knows (their interrupted run), When they keep it, Then only the remaining shares are asked', async () => {
    const vault = sealed(3, 'node-1', 'node-2');
    for (const n of vault.nodes()) await vault.unseal(n, new Secret('dd44dd44'), signal());
    const { result, events, human } = await unseal(vault, (p, i) =>
      p.type === 'choose'
        ? { type: 'choose', value: 'continue' }
        : { type: 'secret', value: new Secret(shares[i - 1] ?? '') },
    );
    expect(result).toMatchObject({ exitCode: 0 });
    const labels = human.asked.map((a) => (a.prompt.type === 'secret' ? a.prompt.label : 'choose'));
    expect(labels).toEqual(['choose', 'unseal share 2 of 3', 'unseal share 3 of 3']);
    expect(JSON.stringify(events)).not.toContain('someone else');
    expect(allUnsealed(vault)).toBe(true);
  });
});
