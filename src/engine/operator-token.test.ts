import { describe, expect, it } from 'vitest';
import { Secret } from '../domain/secret.js';
import { FakeVault } from '../test-support/fake-vault.js';
import type { ActionContext } from './actions/types.js';
import type { HumanPrompt } from './human.js';
import { MemoryCredentials, operatorToken } from './operator-token.js';

const SHARES = ['a1', 'b2', 'c3'].map((s) => s.repeat(16));

function context(vault: FakeVault, credentials: MemoryCredentials, typed: string[]) {
  const asked: HumanPrompt[] = [];
  const ctx = {
    runId: 'r',
    stepId: 's',
    attempt: 1,
    input: {},
    signal: new AbortController().signal,
    ports: { vault, credentials } as unknown as ActionContext<unknown>['ports'],
    clusterName: 'c',
    operator: 'op',
    log: () => undefined,
    ask: (p: HumanPrompt) => {
      asked.push(p);
      const v = typed.shift();
      if (v === undefined) return Promise.reject(new Error('nobody to answer'));
      return Promise.resolve({ type: 'secret', value: new Secret(v, 'typed') });
    },
    registerSecret: () => undefined,
    recordProcess: () => undefined,
  } as unknown as ActionContext<unknown>;
  return { ctx, asked };
}

describe('operatorToken', () => {
  it('Given VAULT_TOKEN holds a valid token, When a step needs one, Then it is used without asking', async () => {
    const vault = FakeVault.unsealedWith(SHARES, 2);
    const token = vault.rootToken();
    const { ctx, asked } = context(
      vault,
      new MemoryCredentials({ token, source: 'VAULT_TOKEN' }),
      [],
    );
    const t = await operatorToken(ctx, vault.nodes()[0]!, 'the upgrade');
    expect(t.source).toBe('VAULT_TOKEN');
    expect(t.info.policies).toContain('root');
    expect(asked).toHaveLength(0);
  });

  it('Given VAULT_TOKEN holds a token Vault refuses, When a step needs one, Then it fails naming the source and never prompts', async () => {
    const vault = FakeVault.unsealedWith(SHARES, 2);
    const bad = new Secret('hvs.not-a-token-at-all-xxxxxxxx', 'token');
    const { ctx, asked } = context(
      vault,
      new MemoryCredentials({ token: bad, source: 'VAULT_TOKEN' }),
      [],
    );
    await expect(operatorToken(ctx, vault.nodes()[0]!, 'x')).rejects.toThrow(
      /VAULT_TOKEN is not valid/,
    );
    expect(asked).toHaveLength(0);
  });

  it('Given no token in the environment, When two steps need one, Then the operator is asked once, a refused token is asked again, and the second step reuses it', async () => {
    const vault = FakeVault.unsealedWith(SHARES, 2);
    const good = vault.rootToken();
    const creds = new MemoryCredentials();
    const { ctx, asked } = context(vault, creds, [
      'hvs.wrong-wrong-wrong-wrong-wrong',
      good.reveal(),
    ]);
    const first = await operatorToken(ctx, vault.nodes()[0]!, 'the upgrade');
    expect(first.source).toMatch(/typed/);
    expect(asked).toHaveLength(2);
    expect(JSON.stringify(asked[1])).toMatch(/refused that token/);
    await operatorToken(ctx, vault.nodes()[0]!, 'the upgrade');
    expect(asked).toHaveLength(2);
  });
});
