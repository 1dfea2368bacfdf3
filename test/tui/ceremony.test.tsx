import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../../src/adapters/vault.js';
import { ensureTools } from '../support/tools.js';
import { startVault, type VaultServer } from '../support/vault-server.js';
import { KEY, press, type, waitForFrame } from './helpers.js';
import { startLiveRun } from './live-run.js';

const HOLDERS = ['Ann', 'Ben', 'Cat', 'Dan', 'Eve'];
let server: VaultServer;
let tmp: string;

beforeAll(async () => {
  const tools = await ensureTools();
  if (!tools.VAULT_BIN) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  server = await startVault(tools.VAULT_BIN);
  tmp = mkdtempSync(join(tmpdir(), 'vr-tui-ceremony-'));
}, 60 * 60_000);

afterAll(async () => {
  cleanup();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the interactive bootstrap ceremony', () => {
  it('Given 5 keyholders without PGP keys, When each takes the keyboard in turn and then 3 of them unseal, Then each share is on screen only during its own handoff and Vault ends unsealed with the root token revoked', async () => {
    const { term, sessions, done } = startLiveRun({
      dir: tmp,
      profileName: 'tui-ceremony',
      address: server.address,
      caCert: server.caCert,
      holders: HOLDERS,
      runbook: 'bootstrap-ceremony',
      vars: [
        `audit_file=${join(tmp, 'audit.log')}`,
        `dir=${join(tmp, 'ceremony')}`,
        'operator=Ann',
      ],
    });
    const { stdin, frames } = term;

    await waitForFrame(term, 'every keyholder checked their share index');
    await press(stdin, 'y');

    const shares: string[] = [];
    for (const [i, holder] of HOLDERS.entries()) {
      let frame = await waitForFrame(term, `Pass the keyboard to ${holder}`);
      // The page that calls the next keyholder shows no share at all.
      for (const s of shares) expect(frame).not.toContain(s);
      expect(frame).not.toMatch(/[0-9a-f]{66}/);
      await press(stdin, KEY.enter);
      frame = await waitForFrame(term, `${holder}, your unseal share ${i + 1} of 5`);
      const share = /\b([0-9a-f]{66})\b/.exec(frame)?.[1];
      expect(share, frame).toBeTruthy();
      shares.push(share!);
      expect(frame).toContain('I have recorded it');
      await press(stdin, KEY.enter);
      frame = await waitForFrame(term, `type the last 6 characters of your unseal share ${i + 1}`);
      expect(frame).not.toContain(share);
      // A wrong proof first, for Ben: the share is shown again, with the complaint.
      if (holder === 'Ben') {
        await type(stdin, '000000');
        await press(stdin, KEY.enter);
        frame = await waitForFrame(term, 'not how your unseal share 2 of 5 ends');
        expect(frame).toContain(share);
        await press(stdin, KEY.enter);
        await waitForFrame(term, 'type the last 6 characters of your unseal share 2');
      }
      await type(stdin, share!.slice(-6));
      await press(stdin, KEY.enter);
    }

    // Three keyholders unseal: masked entry.
    for (const k of [0, 2, 4]) {
      await waitForFrame(
        term,
        /Keyholder \d of 3: enter your unseal share/.source ? 'enter your unseal share' : '',
      );
      const frame = await type(stdin, shares[k]!);
      expect(frame).toContain('•'.repeat(66));
      await press(stdin, KEY.enter);
    }

    // The first operator's token, handed to Ann the same way.
    await waitForFrame(term, 'Pass the keyboard to Ann for their operator token', 30_000);
    await press(stdin, KEY.enter);
    const tokenFrame = await waitForFrame(term, 'Ann, your operator token');
    // A Vault 1.14 token is long enough to wrap inside its box: join the box's lines.
    const boxed = tokenFrame.slice(tokenFrame.indexOf('your operator token:'));
    const token = [...boxed.matchAll(/│ ([A-Za-z0-9._-]+) *│/g)].map((m) => m[1]).join('');
    expect(token, tokenFrame).toMatch(/^hvs\.[A-Za-z0-9_-]{20,}$/);
    await press(stdin, KEY.enter);
    await waitForFrame(term, 'type the last 6 characters of your operator token');
    await type(stdin, token.slice(-6));
    await press(stdin, KEY.enter);

    const last = await waitForFrame(term, 'Run succeeded', 30_000);
    expect(last).toContain('✓ Revoke every root token and prove each dead');
    expect((await done)?.exitCode).toBe(0);

    // Each share appears only on its own handoff frames, never before or after.
    shares.forEach((s, i) => {
      const on = frames.filter((f) => f.includes(s));
      expect(on.length).toBeGreaterThan(0);
      for (const f of on) expect(f).toContain(`your unseal share ${i + 1} of 5`);
    });
    for (const f of frames.filter((x) => x.includes(token.slice(0, 40))))
      expect(f).toContain('your operator token');

    const vault = new VaultHttp({
      nodes: [{ name: 'node-1', address: server.address }],
      caCert: server.caCert,
    });
    expect(
      await vault.sealStatus(
        { name: 'node-1', address: server.address },
        AbortSignal.timeout(5000),
      ),
    ).toMatchObject({
      initialized: true,
      sealed: false,
      n: 5,
      t: 3,
    });
    const journal = readFileSync(sessions[0]!.journalPath!, 'utf8');
    for (const s of [...shares, token]) expect(journal).not.toContain(s);
    expect(journal).toMatch(/unseal share 5 of 5 handed to Eve/);
  }, 120_000);
});
