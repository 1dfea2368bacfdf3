import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { cleanup } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultHttp } from '../../src/adapters/vault.js';
import { resumeRun } from '../../src/app/session.js';
import { Secret } from '../../src/domain/secret.js';
import { App } from '../../src/ui/App.js';
import { UiController } from '../../src/ui/controller.js';
import { humanActionIds } from '../../src/app/registry.js';
import { ensureTools } from '../support/tools.js';
import { startVault, type VaultServer } from '../support/vault-server.js';
import { KEY, press, renderTerm, type, waitForFrame, type Term } from './helpers.js';
import { startLiveRun } from './live-run.js';

const HOLDERS = ['Ann', 'Ben', 'Cat'];
let server: VaultServer;
let tmp: string;

beforeAll(async () => {
  const tools = await ensureTools();
  if (!tools.VAULT_BIN) throw new Error('ensure-tools.sh did not provide VAULT_BIN');
  server = await startVault(tools.VAULT_BIN);
  tmp = mkdtempSync(join(tmpdir(), 'vr-tui-recovery-'));
}, 60 * 60_000);

afterAll(async () => {
  cleanup();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Enters `shares` one by one at masked prompts whose text contains `prompt`. */
async function enterShares(term: Term, prompt: string, shares: readonly string[]): Promise<void> {
  for (const s of shares) {
    await waitForFrame(term, prompt, 30_000);
    const frame = await type(term.stdin, s);
    expect(frame).not.toContain(s);
    await press(term.stdin, KEY.enter);
  }
}

describe('the interactive bootstrap ceremony interrupted after the handoffs', () => {
  it('Given plain shares handed to 3 keyholders and the process gone before the unseal, When the run is resumed from its journal, Then the keyholders unseal and make a new root token, and the run ends done with audit on, a working operator token and the initial root token dead', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_STATE_HOME: join(tmp, 'state'),
      XDG_CONFIG_HOME: join(tmp, 'config'),
    };
    delete env.VAULT_RUNBOOK_PROFILE;
    delete env.VAULT_ADDR;
    const first = startLiveRun({
      dir: tmp,
      profileName: 'tui-recovery',
      address: server.address,
      caCert: server.caCert,
      holders: HOLDERS,
      runbook: 'bootstrap-ceremony',
      vars: [
        `audit_file=${join(tmp, 'audit.log')}`,
        `dir=${join(tmp, 'ceremony')}`,
        'operator=Ann',
        'threshold=2',
      ],
    });
    let term = first.term;
    // Without PGP keys the plan asks for what keyholders can check: index and name.
    const plan = await waitForFrame(term, 'every keyholder checked their share index');
    const prompt = plan.slice(plan.indexOf('Initialize with')).replace(/[\s│]+/g, ' ');
    expect(prompt).toMatch(/checked their share index and name \(no PGP keys/);
    expect(prompt).not.toMatch(/fingerprint/);
    await press(term.stdin, 'y');

    const shares: string[] = [];
    for (const [i, holder] of HOLDERS.entries()) {
      await waitForFrame(term, `Pass the keyboard to ${holder}`);
      await press(term.stdin, KEY.enter);
      const frame = await waitForFrame(term, `${holder}, your unseal share ${i + 1} of 3`);
      const share = /\b([0-9a-f]{66})\b/.exec(frame)?.[1];
      expect(share, frame).toBeTruthy();
      shares.push(share!);
      await press(term.stdin, KEY.enter);
      await waitForFrame(term, `type the last 6 characters of your unseal share ${i + 1}`);
      await type(term.stdin, share!.slice(-6));
      await press(term.stdin, KEY.enter);
    }
    await waitForFrame(term, 'enter your unseal share');

    // The process dies here: its screen and memory (the root token with them) are gone, and
    // nothing more reaches the journal. A new process resumes from the journal alone.
    const session = first.sessions[0]!;
    session.close();
    cleanup();
    const controller = new UiController({
      runbooks: [],
      open: () => {
        throw new Error('the resumed TUI opens no new run');
      },
      humanActionIds: humanActionIds(),
      onQuit: () => undefined,
    });
    term = renderTerm(createElement(App, { store: controller.store }));
    const resumed = resumeRun(session.runId, {
      human: controller,
      observers: [controller],
      env,
    });
    const done = controller.attach(resumed);

    await enterShares(term, 'enter your unseal share', [shares[0]!, shares[2]!]);
    // The initial root token is lost: the keyholders make a new one, each seeing the nonce.
    const g = await waitForFrame(term, 'generate-root attempt, nonce', 30_000);
    expect(g).toMatch(/generate-root attempt, nonce:[\s│]+[0-9a-f-]{36}/);
    await enterShares(term, 'generate-root attempt, nonce', [shares[1]!, shares[2]!]);

    await waitForFrame(term, 'Pass the keyboard to Ann for their operator token', 30_000);
    await press(term.stdin, KEY.enter);
    const tokenFrame = await waitForFrame(term, 'Ann, your operator token');
    const boxed = tokenFrame.slice(tokenFrame.indexOf('your operator token:'));
    const token = [...boxed.matchAll(/│ ([A-Za-z0-9._-]+) *│/g)].map((m) => m[1]).join('');
    expect(token, tokenFrame).toMatch(/^hvs\.[A-Za-z0-9_-]{20,}$/);
    await press(term.stdin, KEY.enter);
    await waitForFrame(term, 'type the last 6 characters of your operator token');
    await type(term.stdin, token.slice(-6));
    await press(term.stdin, KEY.enter);

    const last = await waitForFrame(term, 'Run succeeded', 30_000);
    expect(last).toContain('✓ Revoke every root token and prove each dead');
    expect((await done).exitCode).toBe(0);

    const at = { name: 'node-1', address: server.address };
    const vault = new VaultHttp({ nodes: [at], caCert: server.caCert });
    const signal = (): AbortSignal => AbortSignal.timeout(5000);
    expect(await vault.sealStatus(at, signal())).toMatchObject({
      initialized: true,
      sealed: false,
    });
    const op = new Secret(token);
    expect((await vault.tokenLookupSelf(at, op, signal())).policies).toContain('operators');
    expect((await vault.auditDevices(at, op, signal())).map((d) => d.path)).toEqual(['file/']);
    const journal = readFileSync(session.journalPath!, 'utf8');
    for (const s of [...shares, token]) expect(journal).not.toContain(s);
    const lost = /"lost_roots_revoked":\[\{"accessor":"([^"]+)","source":"found"\}\]/.exec(
      journal,
    )?.[1];
    expect(lost, 'the revoke step names the lost initial root token').toBeTruthy();
    await expect(vault.tokenLookupAccessor(at, op, lost!, signal())).rejects.toMatchObject({
      status: 400,
    });
  }, 180_000);
});
