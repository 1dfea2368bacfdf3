import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  nextMove,
  upgradeBlocker,
  upgradeOrder,
  type ClusterView,
  type MemberView,
  type NodeView,
} from './upgrade.js';

const OLD = 'ami-old';
const NEW = 'ami-new';
const target = { imageId: NEW, version: '1.14.8' };

const node = (name: string, role: NodeView['role'], version = '1.14.6'): NodeView => ({
  name,
  address: `https://${name}:8200`,
  role,
  version,
});
const member = (id: string, image: string, n?: string, state = 'InService'): MemberView => ({
  instanceId: id,
  az: 'us-east-1a',
  lifecycleState: state,
  healthStatus: 'Healthy',
  imageId: image,
  ...(n ? { node: n } : {}),
});

/** node-1 active, node-2 and node-3 standbys, all on the old image. */
function start(): ClusterView {
  return {
    nodes: [node('node-1', 'active'), node('node-2', 'standby'), node('node-3', 'standby')],
    members: [
      member('i-1', OLD, 'node-1'),
      member('i-2', OLD, 'node-2'),
      member('i-3', OLD, 'node-3'),
    ],
    desired: 3,
  };
}

describe('compareVersions', () => {
  it('Given dotted versions, When compared, Then numerically and ignoring a +ent suffix', () => {
    expect(compareVersions('1.14.10', '1.14.8')).toBe(1);
    expect(compareVersions('1.14.6', '1.14.8')).toBe(-1);
    expect(compareVersions('1.14.8+ent', '1.14.8')).toBe(0);
  });
});

describe('nextMove', () => {
  it('Given every node on the old image, When deciding, Then the first standby by name is replaced, never the active', () => {
    const m = nextMove(start(), target, 'active');
    expect(m).toMatchObject({ kind: 'replace', instanceId: 'i-2', role: 'standby' });
  });

  it('Given a newcomer on the new image still sealed, When deciding, Then it is unsealed before anything else is touched', () => {
    const v = start();
    const view: ClusterView = {
      ...v,
      nodes: [v.nodes[0]!, node('node-2', 'sealed', '1.14.8'), v.nodes[2]!],
      members: [v.members[0]!, member('i-4', NEW, 'node-2'), v.members[2]!],
    };
    expect(nextMove(view, target, 'active')).toMatchObject({ kind: 'unseal', instanceId: 'i-4' });
  });

  it('Given the ASG still launching the replacement, When deciding, Then wait (no second termination)', () => {
    const v = start();
    const view: ClusterView = { ...v, members: [v.members[0]!, v.members[2]!] };
    expect(nextMove(view, target, 'active').kind).toBe('wait');
  });

  it('Given a newcomer whose Vault does not answer, When deciding, Then wait on that instance (the caller times it out)', () => {
    const v = start();
    const view: ClusterView = {
      ...v,
      nodes: [v.nodes[0]!, node('node-2', 'unreachable'), v.nodes[2]!],
      members: [v.members[0]!, member('i-4', NEW, 'node-2'), v.members[2]!],
    };
    expect(nextMove(view, target, 'active')).toMatchObject({ kind: 'wait', instanceId: 'i-4' });
  });

  it('Given every standby new and healthy, When deciding in the active phase, Then the active is replaced; in the standby phase, done', () => {
    const view: ClusterView = {
      nodes: [
        node('node-1', 'active'),
        node('node-2', 'standby', '1.14.8'),
        node('node-3', 'standby', '1.14.8'),
      ],
      members: [
        member('i-1', OLD, 'node-1'),
        member('i-4', NEW, 'node-2'),
        member('i-5', NEW, 'node-3'),
      ],
      desired: 3,
    };
    expect(nextMove(view, target, 'active')).toMatchObject({
      kind: 'replace',
      role: 'active',
      instanceId: 'i-1',
    });
    expect(nextMove(view, target, 'standbys').kind).toBe('done');
  });

  it('Given an old standby left while the active is old, When deciding, Then that standby goes before the active (an older node never inherits leadership)', () => {
    const view: ClusterView = {
      nodes: [
        node('node-1', 'active'),
        node('node-2', 'standby', '1.14.8'),
        node('node-3', 'standby'),
      ],
      members: [
        member('i-1', OLD, 'node-1'),
        member('i-4', NEW, 'node-2'),
        member('i-3', OLD, 'node-3'),
      ],
      desired: 3,
    };
    expect(nextMove(view, target, 'active')).toMatchObject({ kind: 'replace', instanceId: 'i-3' });
  });

  it('Given an old node that is sealed mid-run, When deciding, Then stop rather than replace around it', () => {
    const v = start();
    const view: ClusterView = { ...v, nodes: [v.nodes[0]!, node('node-2', 'sealed'), v.nodes[2]!] };
    expect(nextMove(view, target, 'active')).toMatchObject({ kind: 'stop' });
  });

  it('Given a newcomer that runs another version than the image claims, When deciding, Then stop', () => {
    const v = start();
    const view: ClusterView = {
      ...v,
      nodes: [v.nodes[0]!, node('node-2', 'standby', '1.14.7'), v.nodes[2]!],
      members: [v.members[0]!, member('i-4', NEW, 'node-2'), v.members[2]!],
    };
    expect(nextMove(view, target, 'active').kind).toBe('stop');
  });

  it('Given every instance new and a new node active, When deciding, Then done; with no active yet, wait for the election', () => {
    const nodes = [
      node('node-1', 'standby', '1.14.8'),
      node('node-2', 'active', '1.14.8'),
      node('node-3', 'standby', '1.14.8'),
    ];
    const members = [
      member('i-6', NEW, 'node-1'),
      member('i-4', NEW, 'node-2'),
      member('i-5', NEW, 'node-3'),
    ];
    expect(nextMove({ nodes, members, desired: 3 }, target, 'active').kind).toBe('done');
    const electing = nodes.map((n) =>
      n.role === 'active' ? { ...n, role: 'standby' as const } : n,
    );
    expect(nextMove({ nodes: electing, members, desired: 3 }, target, 'active').kind).toBe('wait');
  });
});

describe('upgradeBlocker and upgradeOrder', () => {
  it('Given a sealed node, two actives or a newer node, When checked, Then each is named', () => {
    const v = start();
    expect(
      upgradeBlocker(
        { ...v, nodes: [v.nodes[0]!, node('node-2', 'sealed'), v.nodes[2]!] },
        '1.14.8',
      ),
    ).toContain('node-2 sealed');
    expect(
      upgradeBlocker({ ...v, nodes: [node('a', 'active'), node('b', 'active')] }, '1.14.8'),
    ).toContain('exactly one');
    expect(upgradeBlocker(v, '1.14.5')).toContain('older than');
    expect(upgradeBlocker(v, '1.14.8')).toBeUndefined();
  });

  it('Given a healthy cluster, When ordered, Then standbys by name and the active last', () => {
    expect(upgradeOrder(start()).map((n) => n.name)).toEqual(['node-2', 'node-3', 'node-1']);
  });
});
