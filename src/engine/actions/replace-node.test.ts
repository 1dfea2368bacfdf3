import { describe, expect, it } from 'vitest';
import type { ClusterView, MemberView, NodeView } from '../../domain/upgrade.js';
import { victims } from './replace-node.js';

const node = (name: string, role: NodeView['role']): NodeView => ({
  name,
  address: `https://${name}:8200`,
  role,
});
const member = (id: string, az: string, n: string, health = 'Healthy'): MemberView => ({
  instanceId: id,
  az,
  lifecycleState: 'InService',
  healthStatus: health,
  node: n,
});

const view = (roles: NodeView['role'][], health: string[] = []): ClusterView => ({
  nodes: roles.map((r, i) => node(`node-${i + 1}`, r)),
  members: roles.map((_, i) =>
    member(`i-${i + 1}`, `us-east-1${'abc'[i]}`, `node-${i + 1}`, health[i] ?? 'Healthy'),
  ),
  desired: roles.length,
});

describe('replace-node victims', () => {
  it('Given an Unhealthy instance whose Vault is gone, When chosen, Then only it is terminated', () => {
    const v = view(['active', 'unreachable', 'standby'], ['Healthy', 'Unhealthy']);
    expect(victims(v, {}).map((m) => m.instanceId)).toEqual(['i-2']);
  });

  it('Given a sealed node, When chosen by default or by name, Then it is never terminated (shares fix it)', () => {
    const v = view(['active', 'sealed', 'standby'], ['Healthy', 'Unhealthy']);
    expect(victims(v, {})).toEqual([]);
    expect(victims(v, { nodes: 'node-2' })).toEqual([]);
  });

  it('Given a lost AZ, When chosen, Then its dead nodes go and healthy ones elsewhere stay', () => {
    const v = view(['active', 'unreachable', 'standby']);
    expect(victims(v, { az: 'us-east-1b' }).map((m) => m.instanceId)).toEqual(['i-2']);
    expect(victims(v, { az: 'us-east-1a' })).toEqual([]);
  });

  it('Given the active named, When chosen, Then it is a victim (the action asks before terminating it)', () => {
    const v = view(['active', 'standby', 'standby']);
    expect(victims(v, { nodes: ['node-1'] }).map((m) => m.instanceId)).toEqual(['i-1']);
    expect(victims(v, {})).toEqual([]);
  });
});
