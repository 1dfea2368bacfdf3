import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { listRunbooks } from '../../src/app/runbooks.js';
import { App } from '../../src/ui/App.js';
import { createUiStore, type ClusterView, type NodeView } from '../../src/ui/store.js';
import { renderTerm, waitForFrame } from './helpers.js';

afterEach(() => cleanup());

const node = (name: string, over: Partial<NodeView> = {}): NodeView => ({
  name,
  instanceId: `i-0${name}`,
  az: 'us-east-1a',
  ami: 'ami-1',
  version: '1.14.8',
  initialized: true,
  sealed: false,
  role: 'standby',
  healthCode: 429,
  reachable: true,
  ...over,
});

/** Mid-failover: the primary gone, DR half unsealed, DNS still on the primary. */
const CLUSTER: ClusterView = {
  profile: 'sandbox',
  updatedAt: '12:00:01',
  nodes: ['node-1', 'node-2', 'node-3'].map((n) => ({
    name: n,
    reachable: false,
    role: 'unknown',
  })),
  regions: [
    { name: 'primary', asg: { desired: 0, inService: 0 } },
    { name: 'dr', asg: { desired: 3, inService: 3 } },
  ],
  dr: {
    nodes: [
      node('dr-node-1', { role: 'active', healthCode: 200 }),
      node('dr-node-2', {
        sealed: true,
        progress: { t: 1, n: 3 },
        role: 'unknown',
        healthCode: 503,
      }),
      node('dr-node-3', {
        sealed: true,
        progress: { t: 1, n: 3 },
        role: 'unknown',
        healthCode: 503,
      }),
    ],
    dns: { record: 'vault.example.internal', values: ['10.0.0.1'], target: 'primary' },
    replication: { lagSeconds: -1, pendingObjects: -1, error: 'primary bucket: no answer' },
  },
};

describe('home screen with a DR region', () => {
  it('Given an 80×24 terminal, the shipped runbooks and a two-region cluster, When home shows, Then every runbook, both regions, the DNS target and the key hints fit on screen', async () => {
    const runbooks = listRunbooks({ ...process.env, XDG_CONFIG_HOME: '/nonexistent' });
    const store = createUiStore({ screen: 'home', runbooks, cluster: CLUSTER });
    const term = renderTerm(<App store={store} />);
    await waitForFrame(term, 'dr-node-1');
    Object.defineProperty(term.stdout, 'columns', { value: 80 });
    Object.defineProperty(term.stdout, 'rows', { value: 24 });
    // Mounted again, as Ink's tree is not re-rendered by a size change alone.
    term.rerender(<App key="80x24" store={store} />);
    const frame = await waitForFrame(term, (f) => f.split('\n').length < 24);
    for (const rb of runbooks) expect(frame).toContain(rb.id);
    expect(frame).toMatch(/primary: node-1 unreachable/);
    expect(frame).toMatch(/DR: dr-node-1 unsealed active · dr-node-2 sealed 1\/3/);
    expect(frame).toContain('→ the primary load balancer');
    expect(frame).toContain('enter run runbook');
    expect(Math.max(...frame.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('Given a tall terminal and a two-region cluster, When home shows, Then both regions have their full table', async () => {
    const term = renderTerm(<App store={createUiStore({ runbooks: [], cluster: CLUSTER })} />);
    const frame = await waitForFrame(term, 'dr-node-3');
    expect(frame).toMatch(/DR region · ASG 3\/3 in service/);
    expect(frame).toMatch(/dr-node-2\s+i-0dr-node-2\s+.*sealed 1\/3\s+unknown\s+503 sealed/);
  });
});
