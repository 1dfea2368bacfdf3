import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterStatus, NodeStatus } from '../../domain/cluster.js';
import { toClusterView } from '../cluster-view.js';
import { StoreContext } from '../context.js';
import { createUiStore } from '../store.js';
import { StatusPane } from './StatusPane.js';

afterEach(() => cleanup());

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;

function frameOf(status: ClusterStatus, compact = false): string {
  const store = createUiStore({ cluster: toClusterView(status) });
  const t = render(
    <StoreContext.Provider value={store}>
      <StatusPane compact={compact} />
    </StoreContext.Provider>,
  );
  return (t.lastFrame() ?? '').replace(ANSI, '');
}

/** The line of the pane that starts with `text` (a node's row, a heading). */
function lineWith(frame: string, text: string): string {
  const line = frame.split('\n').find((l) => l.replace(/^│\s*/, '').startsWith(text));
  if (!line) throw new Error(`no line with ${text} in:\n${frame}`);
  return line;
}

const down = (name: string): NodeStatus => ({
  name,
  address: `https://${name}:8200`,
  role: 'unknown',
  health: 'unreachable',
  reachable: false,
});

const up = (name: string, code: 200 | 429, version = '1.14.8'): NodeStatus => ({
  name,
  address: `https://${name}:8200`,
  version,
  initialized: true,
  sealed: false,
  role: code === 200 ? 'active' : 'standby',
  healthCode: code,
  health: code === 200 ? 'active' : 'standby',
  reachable: true,
});

const sealed = (name: string, progress: number): NodeStatus => ({
  name,
  address: `https://${name}:8200`,
  version: '1.14.8',
  initialized: true,
  sealed: true,
  progress: { t: 3, n: 5, progress, nonce: 'abcd' },
  role: 'unknown',
  healthCode: 503,
  health: 'sealed',
  reachable: true,
});

const SUMMARY = { sealed: 0, unsealed: 0, uninitialized: 0, unreachable: 0 };
const REGIONS = (primary: number, dr: number): ClusterStatus['regions'] => [
  {
    name: 'primary',
    region: 'us-east-1',
    asg: { name: 'vault', desired: primary, inService: primary },
  },
  { name: 'dr', region: 'us-west-2', asg: { name: 'vault-dr', desired: dr, inService: dr } },
];

/** After a failover: the primary gone, DR serving, DNS on the DR load balancer. */
const AFTER_FAILOVER: ClusterStatus = {
  profile: 'sandbox',
  updatedAt: '12:00:00',
  nodes: ['node-1', 'node-2', 'node-3'].map(down),
  regions: REGIONS(0, 3),
  replication: {
    lagSeconds: -1,
    pendingObjects: -1,
    error: 'primary bucket: connect ECONNREFUSED',
  },
  failover: {
    dns: { record: 'vault.sandbox.internal', values: ['127.0.20.100'], region: 'dr' },
    drNodes: [up('dr-node-1', 200), up('dr-node-2', 429), up('dr-node-3', 429)],
    drLeader: 'https://dr-node-1:8200',
  },
  summary: { ...SUMMARY, unreachable: 3 },
};

describe('the status pane with a DR region', () => {
  it('Given DR serving after a failover, When the pane renders, Then both regions show with their nodes, the DR nodes unsealed and active, and DNS on the DR load balancer', () => {
    const f = frameOf(AFTER_FAILOVER);
    expect(lineWith(f, 'primary region')).toMatch(/ASG 0\/0 in service · HA lock —/);
    expect(lineWith(f, 'DR region')).toMatch(
      /ASG 3\/3 in service · HA lock https:\/\/dr-node-1:8200/,
    );
    expect(f.indexOf('primary region')).toBeLessThan(f.indexOf('node-1'));
    expect(f.indexOf('DR region')).toBeLessThan(f.indexOf('dr-node-1'));
    expect(lineWith(f, 'node-2')).toMatch(/unreachable/);
    expect(lineWith(f, 'dr-node-1')).toMatch(/1\.14\.8\s+unsealed\s+active\s+200 active/);
    expect(lineWith(f, 'dr-node-2')).toMatch(/unsealed\s+standby\s+429 standby/);
    expect(f).toContain('DNS vault.sandbox.internal → the DR load balancer (127.0.20.100)');
    expect(f).toContain('replication primary → DR: unknown (primary bucket: connect ECONNREFUSED)');
  });

  it('Given DR nodes being unsealed and replication behind, When the pane renders, Then each DR node shows its progress and the pending objects and their age show', () => {
    const f = frameOf({
      ...AFTER_FAILOVER,
      nodes: [up('node-1', 200, '1.14.6'), up('node-2', 429, '1.14.6')],
      regions: REGIONS(2, 2),
      replication: { lagSeconds: 31, pendingObjects: 2 },
      failover: {
        dns: { record: 'vault.sandbox.internal', values: ['127.0.20.50'], region: 'primary' },
        drNodes: [sealed('dr-node-1', 2), sealed('dr-node-2', 0)],
      },
    });
    expect(lineWith(f, 'node-1')).toMatch(/1\.14\.6\s+unsealed\s+active/);
    expect(lineWith(f, 'dr-node-1')).toMatch(/sealed 2\/3/);
    expect(lineWith(f, 'dr-node-2')).toMatch(/sealed 0\/3/);
    expect(f).toContain('DNS vault.sandbox.internal → the primary load balancer (127.0.20.50)');
    expect(f).toContain('replication primary → DR: 2 object(s) pending, oldest 31 s');
  });

  it('Given a record that names neither load balancer, When the pane renders, Then it says so', () => {
    const f = frameOf({
      ...AFTER_FAILOVER,
      failover: {
        ...AFTER_FAILOVER.failover,
        dns: { record: 'vault.sandbox.internal', values: ['10.9.9.9'], region: 'unknown' },
      },
    });
    expect(f).toContain("DNS vault.sandbox.internal → 10.9.9.9: neither region's load balancer");
  });

  it('Given DNS on DR and the primary ASG still wanting 3 (a fence its dead API kept undone), When the pane renders, full or compact, Then a line says never to unseal them and that failback scales it to 0', () => {
    const stray: ClusterStatus = {
      ...AFTER_FAILOVER,
      regions: REGIONS(3, 3),
      failover: { ...AFTER_FAILOVER.failover, primaryAsgWhileDr: { asg: 'vault', desired: 3 } },
    };
    for (const compact of [false, true])
      expect(frameOf(stray, compact).replace(/\s*│\s*/g, ' ')).toContain(
        'primary ASG vault wants 3 while DNS names DR: never unseal them',
      );
    expect(frameOf(AFTER_FAILOVER)).not.toContain('never unseal');
  });

  it('Given a short terminal, When the compact pane renders, Then one line per region and the DNS target still show', () => {
    const f = frameOf(AFTER_FAILOVER, true);
    expect(lineWith(f, 'primary:')).toMatch(/node-1 unreachable · node-2 unreachable/);
    expect(lineWith(f, 'DR:')).toMatch(/dr-node-1 unsealed active · dr-node-2 unsealed standby/);
    expect(f).toContain('→ the DR load balancer');
  });
});

describe('the status pane without a DR region', () => {
  it('Given a single-region profile, When the pane renders, Then there is no DR row, heading, DNS or replication line', () => {
    const f = frameOf({
      profile: 'prod',
      updatedAt: '12:00:00',
      nodes: [up('node-1', 200)],
      regions: [
        { name: 'primary', region: 'us-east-1', asg: { name: 'vault', desired: 1, inService: 1 } },
      ],
      haLockHolder: 'https://node-1:8200',
      summary: { ...SUMMARY, unsealed: 1 },
    });
    expect(lineWith(f, 'node-1')).toMatch(/unsealed\s+active/);
    expect(f).toContain(
      'region primary · ASG 1/1 in service · replication lag — · HA lock https://node-1:8200',
    );
    expect(f).not.toMatch(/DR|DNS|replication primary/);
  });
});
