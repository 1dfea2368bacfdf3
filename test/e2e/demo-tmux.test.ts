import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEndpoints, layout } from '../../src/sandbox/layout.js';
import { listening } from '../../src/sandbox/procs.js';
import { BIN, cli } from '../support/cli.js';
import { ensureTools } from '../support/tools.js';
import { hasTmux, Tmux } from '../support/tmux.js';
import { testSlot } from '../sandbox/helpers.js';

/**
 * `npm run demo` as a newcomer runs it: in a real terminal (tmux), the sandbox comes up and the
 * TUI opens on it with the live status pane. Its own addresses (slot 95) and XDG dirs.
 */
const tmux = new Tmux(`vr-demo-${process.pid}`);
let tmp = '';
let env: NodeJS.ProcessEnv = {};

describe.skipIf(!hasTmux)('npm run demo in a real terminal', () => {
  beforeAll(async () => {
    await ensureTools();
    tmp = mkdtempSync(join(tmpdir(), 'vr-demo-'));
    env = {
      ...process.env,
      XDG_STATE_HOME: join(tmp, 'state'),
      XDG_CONFIG_HOME: join(tmp, 'config'),
      VAULT_RUNBOOK_SANDBOX_SLOT: testSlot(95),
    };
  }, 60 * 60_000);

  afterAll(async () => {
    tmux.stop();
    await cli(['sandbox', 'down', '--purge'], env);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it('Given cached tools, When demo runs, Then the sandbox starts and the TUI shows its 3 nodes live; q quits and the sandbox keeps running until down', async () => {
    const vars = ['XDG_STATE_HOME', 'XDG_CONFIG_HOME', 'VAULT_RUNBOOK_SANDBOX_SLOT']
      .map((k) => `${k}=${env[k]}`)
      .join(' ');
    tmux.start(
      'demo',
      `env -u CI -u VAULT_RUNBOOK_PROFILE ${vars} ${process.execPath} ${BIN} demo; echo "EXIT=$?"; sleep 120`,
      150,
      50,
    );
    const screen = await tmux.waitFor('demo', /cluster sandbox[\s\S]*│ node-3 +i-.*501/, 120_000);
    expect(screen).toContain('cluster sandbox');
    expect(screen).toMatch(
      /node-1 +i-[0-9a-f]+ +us-east-1a +ami-[0-9a-f]+ +1\.14\.\d+ +not initialized/,
    );
    // Two regions (the sandbox has a DR region): each has its heading.
    expect(screen).toContain('primary region · ASG 3/3 in service');
    expect(screen).toContain('unseal'); // the runbook list
    tmux.keys('demo', 'q');
    await tmux.waitFor('demo', /EXIT=0/, 15_000);

    // The cluster outlives the TUI (a trainee comes back to it); `down` stops all of it.
    expect((await cli(['status', '--json'], env)).exitCode).toBe(0);
    expect((await cli(['sandbox', 'down'], env)).exitCode).toBe(0);
    const l = layout(env);
    const open = await Promise.all(allEndpoints(l).map((e) => listening(e.host, e.port, 300)));
    expect(open.filter(Boolean)).toEqual([]);
  });
});
