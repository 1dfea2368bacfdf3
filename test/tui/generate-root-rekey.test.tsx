import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../../src/adapters/vault.js';
import { Secret } from '../../src/domain/secret.js';
import type { InitResult } from '../../src/engine/vault.js';
import { ensureTools } from '../support/tools.js';
import { startVault, type VaultServer } from '../support/vault-server.js';
import { KEY, press, type, waitForFrame, type Term } from './helpers.js';
import { startLiveRun } from './live-run.js';

const HOLDERS = ['Ann', 'Ben', 'Cat', 'Dan', 'Eve'];
let server: VaultServer;
let tmp: string;
let vault: VaultHttp;
let init: InitResult;
const node = () => ({ name: 'node-1', address: server.address });
const signal = () => AbortSignal.timeout(10_000);

beforeAll(async () => {
  const tools = await ensureTools();
  if (!tools.VAULT_BIN) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  server = await startVault(tools.VAULT_BIN);
  tmp = mkdtempSync(join(tmpdir(), 'vr-tui-rekey-'));
  vault = new VaultHttp({ nodes: [node()], caCert: server.caCert });
  init = await vault.init(node(), { secretShares: 5, secretThreshold: 3 }, signal());
  for (const k of init.keys.slice(0, 3)) await vault.unseal(node(), k, signal());
}, 60 * 60_000);

afterAll(async () => {
  cleanup();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function start(runbook: string, vars: string[]) {
  return startLiveRun({
    dir: tmp,
    profileName: 'tui-rekey',
    address: server.address,
    caCert: server.caCert,
    holders: HOLDERS,
    runbook,
    vars,
  });
}

/** Keyholders type shares at masked prompts that each show the attempt's nonce; returns it. */
async function enterShares(term: Term, what: string, shares: readonly string[]): Promise<string> {
  const nonces = new Set<string>();
  for (const [i, s] of shares.entries()) {
    const frame = await waitForFrame(term, `${what} share ${i + 1} of ${shares.length}`, 30_000);
    const prompt = frame.slice(frame.lastIndexOf(`${what} attempt, nonce:`));
    const nonce = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(
      prompt,
    )?.[1];
    expect(nonce, frame).toBeTruthy();
    nonces.add(nonce!);
    const typed = await type(term.stdin, s);
    expect(typed).not.toContain(s);
    await press(term.stdin, KEY.enter);
  }
  expect(nonces.size).toBe(1);
  return [...nonces][0]!;
}

describe('break glass and rekey in the TUI', () => {
  it('Given an unsealed Vault, When 3 keyholders make a root token, Then each sees the nonce, the token is never on screen, and it is revoked', async () => {
    const { term, sessions, done } = start('generate-root', ['reason=tui test']);
    await waitForFrame(term, 'Make a root token for: tui test');
    await press(term.stdin, 'y');
    const nonce = await enterShares(
      term,
      'generate-root',
      init.keys.slice(2, 5).map((k) => k.reveal()),
    );
    await waitForFrame(term, 'press enter when done', 30_000);
    await press(term.stdin, KEY.enter);
    const last = await waitForFrame(term, 'Run succeeded', 30_000);
    expect(last).toContain('Revoke the root token');
    expect((await done)?.exitCode).toBe(0);
    for (const f of term.frames) expect(f).not.toMatch(/hvs\.[A-Za-z0-9]{10,}/);
    const journal = readFileSync(sessions[0]!.journalPath!, 'utf8');
    expect(journal).toContain(nonce);
    expect(journal).not.toMatch(/hvs\.[A-Za-z0-9]{10,}/);
  }, 120_000);

  it('Given token_handoff=screen, When the token is made, Then it is shown once to the operator, proved, and revoked at the end', async () => {
    const { term, sessions, done } = start('generate-root', [
      'reason=tui screen',
      'token_handoff=screen',
    ]);
    await waitForFrame(term, 'Make a root token for: tui screen');
    await press(term.stdin, 'y');
    await enterShares(
      term,
      'generate-root',
      init.keys.slice(0, 3).map((k) => k.reveal()),
    );
    await waitForFrame(term, 'for their break-glass root token', 30_000);
    await press(term.stdin, KEY.enter);
    const shown = await waitForFrame(term, 'your break-glass root token');
    const boxed = shown.slice(shown.indexOf('your break-glass root token'));
    const token = [...boxed.matchAll(/│ ([A-Za-z0-9._-]+) *│/g)].map((m) => m[1]).join('');
    expect(token, shown).toMatch(/^hvs\.[A-Za-z0-9_-]{20,}$/);
    await press(term.stdin, KEY.enter);
    await waitForFrame(term, 'type the last 6 characters of your break-glass root token');
    await type(term.stdin, token.slice(-6));
    await press(term.stdin, KEY.enter);
    await waitForFrame(term, 'press enter when done', 30_000);
    const window = term.lastFrame() ?? '';
    expect(window).not.toContain(token);
    await press(term.stdin, KEY.enter);
    await waitForFrame(term, 'Run succeeded', 30_000);
    expect((await done)?.exitCode).toBe(0);
    for (const f of term.frames.filter((x) => x.includes(token.slice(0, 12))))
      expect(f).toContain('your break-glass root token');
    await expect(vault.tokenLookupSelf(node(), new Secret(token), signal())).rejects.toMatchObject({
      status: 403,
    });
    expect(readFileSync(sessions[0]!.journalPath!, 'utf8')).not.toContain(token);
  }, 120_000);

  it('Given keyholders without PGP keys, When they rekey, Then each new share is handed over alone, verified by re-entry, and the old shares are dead', async () => {
    const { term, sessions, done } = start('rekey', ['threshold=3']);
    await waitForFrame(term, 'stop working once keyholders');
    await press(term.stdin, 'y');
    const old = init.keys.slice(0, 3).map((k) => k.reveal());
    await enterShares(term, 'rekey', old);

    const shares: string[] = [];
    for (const [i, holder] of HOLDERS.entries()) {
      let frame = await waitForFrame(term, `Pass the keyboard to ${holder}`, 30_000);
      for (const s of shares) expect(frame).not.toContain(s);
      await press(term.stdin, KEY.enter);
      frame = await waitForFrame(term, `${holder}, your unseal share ${i + 1} of 5`);
      const share = /\b([0-9a-f]{66})\b/.exec(frame)?.[1];
      expect(share, frame).toBeTruthy();
      expect(old).not.toContain(share);
      shares.push(share!);
      await press(term.stdin, KEY.enter);
      await waitForFrame(term, `type the last 6 characters of your unseal share ${i + 1}`);
      await type(term.stdin, share!.slice(-6));
      await press(term.stdin, KEY.enter);
    }
    await enterShares(term, 'rekey verification', [shares[1]!, shares[3]!, shares[4]!]);
    const last = await waitForFrame(term, 'Run succeeded', 30_000);
    expect((await done)?.exitCode).toBe(0);
    expect(last).not.toContain(shares[0]);
    const journal = readFileSync(sessions[0]!.journalPath!, 'utf8');
    expect(journal).toMatch(/old shares are dead/);
    for (const s of [...shares, ...old]) expect(journal).not.toContain(s);

    // The new shares unseal after a seal; the old ones no longer do.
    await vault.seal(node(), init.rootToken, signal());
    await expect(
      (async () => {
        for (const k of old) await vault.unseal(node(), new Secret(k), signal());
      })(),
    ).rejects.toThrow();
    await vault.unsealReset(node(), signal());
    let sealed = true;
    for (const k of shares.slice(0, 3))
      sealed = (await vault.unseal(node(), new Secret(k), signal())).sealed;
    expect(sealed).toBe(false);
  }, 180_000);
});
