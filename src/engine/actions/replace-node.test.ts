import { describe, expect, it } from 'vitest';
import type { ClusterView, MemberView, NodeView } from '../../domain/upgrade.js';
import { unknownTargets, victims, victimReasons, type Timing } from './replace-node.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
// Every instance launched an hour ago unless a test says otherwise.
const T: Timing = { now: NOW, graceMs: 10 * 60_000 };
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

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
  launchedAt: ago(3600_000),
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
    expect(victims(v, {}, T).map((m) => m.instanceId)).toEqual(['i-2']);
  });

  it('Given a sealed node on an old instance, When chosen by default or by name, Then its instance is replaced and the reason names the unseal runbook', () => {
    const v = view(['active', 'sealed', 'standby']);
    expect(victims(v, {}, T).map((m) => m.instanceId)).toEqual(['i-2']);
    expect(victims(v, { nodes: 'node-2' }, T).map((m) => m.instanceId)).toEqual(['i-2']);
    const [why] = victimReasons(v, victims(v, {}, T));
    expect(why).toContain('node-2 (i-2, us-east-1b) is sealed: its instance is replaced');
    expect(why).toContain('vault-runbook run unseal');
  });

  it('Given a sealed node the ASG launched a minute ago, When chosen by default, Then it is a newcomer waiting for shares, not a victim; named, it is replaced', () => {
    const base = view(['active', 'sealed', 'standby']);
    const v: ClusterView = {
      ...base,
      members: base.members.map((m) =>
        m.instanceId === 'i-2' ? { ...m, launchedAt: ago(60_000) } : m,
      ),
    };
    expect(victims(v, {}, T)).toEqual([]);
    expect(victims(v, {}, { ...T, graceMs: 30_000 }).map((m) => m.instanceId)).toEqual(['i-2']);
    expect(victims(v, { nodes: 'node-2' }, T).map((m) => m.instanceId)).toEqual(['i-2']);
  });

  it('Given every node sealed (a whole-cluster restart), When chosen by default, Then nothing is terminated', () => {
    const v = view(['sealed', 'sealed', 'sealed']);
    expect(victims(v, {}, T)).toEqual([]);
  });

  it('Given a lost AZ, When chosen, Then its dead nodes go and healthy ones elsewhere stay', () => {
    const v = view(['active', 'unreachable', 'standby']);
    expect(victims(v, { az: 'us-east-1b' }, T).map((m) => m.instanceId)).toEqual(['i-2']);
    expect(victims(v, { az: 'us-east-1a' }, T)).toEqual([]);
  });

  it('Given the active named, When chosen, Then it is a victim (the action asks before terminating it)', () => {
    const v = view(['active', 'standby', 'standby']);
    expect(victims(v, { nodes: ['node-1'] }, T).map((m) => m.instanceId)).toEqual(['i-1']);
    expect(victims(v, {}, T)).toEqual([]);
  });
});

describe('replace-node targets that do not exist', () => {
  it("Given an AZ that lost every instance (the group already launched their replacements elsewhere), When named, Then it is still the group's AZ, and a typo is not", () => {
    const v: ClusterView = {
      ...view(['active', 'standby', 'sealed']),
      members: [
        member('i-1', 'us-east-1a', 'node-1'),
        member('i-2', 'us-east-1c', 'node-2'),
        member('i-3', 'us-east-1a', 'node-3'),
      ],
      azs: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    };
    expect(unknownTargets(v, { az: 'us-east-1b' })).toBeUndefined();
    expect(unknownTargets(v, { az: 'us-east-9z' })).toBe(
      "AZ us-east-9z is not one of the group's (its AZs: us-east-1a, us-east-1b, us-east-1c)",
    );
    // Taken out of the group's subnets as well: still an AZ of its region, so accepted.
    const out: ClusterView = { ...v, azs: ['us-east-1a', 'us-east-1c'], region: 'us-east-1' };
    expect(unknownTargets(out, { az: 'us-east-1b' })).toBeUndefined();
    expect(unknownTargets(out, { az: 'us-east-9z' })).toBe(
      "AZ us-east-9z is not one of the group's nor of its region us-east-1 (its AZs: us-east-1a, us-east-1c)",
    );
    expect(unknownTargets(out, { az: 'us-east-1' })).toMatch(/is not one of the group's/);
    expect(unknownTargets(v, { nodes: 'node-9' })).toMatch(/unknown node\(s\) node-9/);
  });
});
