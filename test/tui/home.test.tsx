import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { listRunbooks } from '../../src/app/runbooks.js';
import { createRun } from '../../src/app/session.js';
import { App } from '../../src/ui/App.js';
import { UiController } from '../../src/ui/controller.js';
import { humanActionIds } from '../../src/app/registry.js';
import { createUiStore, nullActions, type ClusterView } from '../../src/ui/store.js';
import { KEY, press, renderTerm, waitForFrame } from './helpers.js';

let tmp: string | undefined;
afterEach(() => {
  cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const CLUSTER: ClusterView = {
  profile: 'sandbox',
  updatedAt: '12:00:01',
  nodes: [
    {
      name: 'vault-1',
      instanceId: 'i-0a',
      az: 'us-east-1a',
      ami: 'ami-1',
      version: '1.15.2',
      sealed: false,
      role: 'active',
      healthCode: 200,
      reachable: true,
    },
    {
      name: 'vault-2',
      instanceId: 'i-0b',
      az: 'us-east-1b',
      ami: 'ami-1',
      version: '1.15.2',
      sealed: true,
      progress: { t: 1, n: 3 },
      role: 'standby',
      healthCode: 503,
      reachable: true,
    },
  ],
  regions: [
    {
      name: 'us-east-1',
      asg: { desired: 3, inService: 2 },
      replicationLagSeconds: 4,
      haLockHolder: 'vault-1',
    },
  ],
};

describe('home screen', () => {
  it('Given an 80×24 terminal and the shipped runbooks, When home shows, Then every runbook, the seal state and the key hints fit on screen', async () => {
    const runbooks = listRunbooks({ ...process.env, XDG_CONFIG_HOME: '/nonexistent' });
    const store = createUiStore({ screen: 'home', runbooks, cluster: CLUSTER });
    const term = renderTerm(<App store={store} />);
    await waitForFrame(term, 'vault-2');
    Object.defineProperty(term.stdout, 'columns', { value: 80 });
    Object.defineProperty(term.stdout, 'rows', { value: 24 });
    // Mounted again, as Ink's tree is not re-rendered by a size change alone.
    term.rerender(<App key="80x24" store={store} />);
    const frame = await waitForFrame(term, (f) => f.split('\n').length < 24);
    for (const rb of runbooks) expect(frame).toContain(rb.id);
    expect(frame).toMatch(/vault-2 .*sealed 1\/3/);
    expect(frame).toContain('enter run runbook');
    expect(Math.max(...frame.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('Given no cluster status, When home shows, Then the status pane says how to get one', async () => {
    const term = renderTerm(
      <App store={createUiStore({ runbooks: [{ id: 'a', title: 'A', description: '' }] })} />,
    );
    expect(await waitForFrame(term, 'A')).toContain(
      'no cluster profile — run `vault-runbook sandbox up`',
    );
  });

  it('Given a cluster, When home shows, Then every node and region is in the status pane', async () => {
    const term = renderTerm(<App store={createUiStore({ runbooks: [], cluster: CLUSTER })} />);
    const frame = await waitForFrame(term, 'vault-2');
    expect(frame).toMatch(
      /vault-1\s+i-0a\s+us-east-1a\s+ami-1\s+1\.15\.2\s+unsealed\s+active\s+200 active/,
    );
    expect(frame).toMatch(
      /vault-2\s+i-0b\s+us-east-1b\s+ami-1\s+1\.15\.2\s+sealed 1\/3\s+standby\s+503 sealed/,
    );
    expect(frame).toContain(
      'region us-east-1 · ASG 2/3 in service · replication lag 4s · HA lock vault-1',
    );
  });

  it('Given two runbooks, When ↓ and enter are pressed, Then the second one runs; When it is done and h is pressed, Then home is back', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'vr-home-'));
    writeFileSync(
      join(tmp, 'alpha.yaml'),
      'id: alpha\ntitle: Alpha drill\ndescription: First of two.\nsteps:\n  - { id: a, run: echo alpha-ran }\n',
    );
    writeFileSync(
      join(tmp, 'beta.yaml'),
      'id: beta\ntitle: Beta drill\ndescription: Second of two.\nsteps:\n  - { id: b, title: Beta step, run: echo beta-ran }\n',
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VAULT_RUNBOOK_PATH: tmp,
      XDG_STATE_HOME: join(tmp, 'state'),
      XDG_CONFIG_HOME: join(tmp, 'config'),
    };
    delete env.VAULT_RUNBOOK_PROFILE;
    const controller = new UiController({
      runbooks: listRunbooks(env).filter((r) => r.id === 'alpha' || r.id === 'beta'),
      open: (id, ui) =>
        createRun({ runbookRef: id }, { human: ui.human, observers: [ui.observer], env }),
      humanActionIds: humanActionIds(),
      onQuit: () => undefined,
    });
    const term = renderTerm(<App store={controller.store} />);
    expect(await waitForFrame(term, 'Alpha drill')).toContain('First of two.');
    const frame = await press(term.stdin, KEY.down);
    expect(frame).toContain('› beta');
    expect(frame).toContain('Second of two.');
    await press(term.stdin, KEY.enter);
    const done = await waitForFrame(term, 'Run succeeded');
    expect(done).toContain('✓ Beta step');
    expect(done).toContain('beta-ran');
    expect(await press(term.stdin, 'h')).toContain('› alpha');
  });

  it('Given home, When q is pressed, Then the app quits', async () => {
    let quit = false;
    const term = renderTerm(
      <App
        store={createUiStore({ runbooks: [] }, { ...nullActions, quit: () => (quit = true) })}
      />,
    );
    await waitForFrame(term, 'no runbooks found');
    term.stdin.write('q');
    await waitForFrame(term, () => quit);
  });
});
