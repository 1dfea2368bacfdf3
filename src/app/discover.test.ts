import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaultHttp } from '../adapters/vault.js';
import { ExitCode } from '../domain/errors.js';
import type { Profile } from '../domain/schema.js';
import type { AsgInstance, Ec2Instance } from '../engine/aws.js';
import type { HealthResult, VaultNode } from '../engine/vault.js';
import { FakeAws } from '../test-support/fake-aws.js';
import { FakeVault } from '../test-support/fake-vault.js';
import { interpreterFor, runbookFrom } from '../test-support/fakes.js';
import { discoverNodes, discoverSpec, nodeResolver, plainAddress } from './discover.js';
import { clusterPorts } from './ports.js';
import { collectStatus } from './status.js';
import { loadProfile } from './profiles.js';

const signal = (): AbortSignal => AbortSignal.timeout(5_000);

function member(id: string, az: string, lifecycleState = 'InService'): AsgInstance {
  return { instanceId: id, az, lifecycleState, healthStatus: 'Healthy' };
}

function instance(id: string, az: string, ip: string, state = 'running'): Ec2Instance {
  return {
    instanceId: id,
    az,
    state,
    imageId: 'ami-1',
    privateIp: ip,
    tags: { 'vault-runbook:address': `https://vault-${id}.example:8200` },
  };
}

/** An ASG of three in service, one launching and one going away: what a rolling upgrade looks like mid-way. */
function cluster(): FakeAws {
  const aws = new FakeAws();
  aws.asg = {
    name: 'vault-primary',
    desired: 3,
    min: 3,
    max: 6,
    instances: [
      member('i-0c', 'us-east-1c'),
      member('i-0a', 'us-east-1a'),
      member('i-0b', 'us-east-1b'),
      member('i-new', 'us-east-1b', 'Pending'),
      member('i-old', 'us-east-1a', 'Terminating'),
    ],
  };
  aws.instances = [
    instance('i-0a', 'us-east-1a', '10.0.1.10'),
    instance('i-0b', 'us-east-1b', '10.0.2.20'),
    instance('i-0c', 'us-east-1c', '10.0.3.30'),
    instance('i-new', 'us-east-1b', '10.0.2.99', 'pending'),
    instance('i-old', 'us-east-1a', '10.0.1.11', 'shutting-down'),
  ];
  return aws;
}

const profile = (discover: Record<string, unknown>, extra: Partial<Profile['vault']> = {}) =>
  ({
    name: 'prod',
    vault: { discover, tls: { server_name: 'vault.example' }, ...extra },
    aws: { region: 'us-east-1', asg: 'vault-primary' },
  }) as Profile;

describe('node discovery from the Auto Scaling group', () => {
  it('Given an ASG mid-replacement, When nodes are discovered, Then only InService running instances are nodes, named by instance id, reached on their private IP, in AZ order', async () => {
    const spec = discoverSpec(profile({ asg: 'vault-primary' }));
    expect(spec).toEqual({
      asg: 'vault-primary',
      region: 'us-east-1',
      port: 8200,
      scheme: 'https',
    });
    expect(await discoverNodes(cluster(), spec!, signal())).toEqual([
      { name: 'i-0a', address: 'https://10.0.1.10:8200' },
      { name: 'i-0b', address: 'https://10.0.2.20:8200' },
      { name: 'i-0c', address: 'https://10.0.3.30:8200' },
    ]);
  });

  it('Given address_tag and a port, When nodes are discovered, Then the tag gives the address', async () => {
    const spec = discoverSpec(
      profile({ asg: 'vault-primary', port: 8300, address_tag: 'vault-runbook:address' }),
    );
    const nodes = await discoverNodes(cluster(), spec!, signal());
    expect(nodes.map((n) => n.address)).toEqual([
      'https://vault-i-0a.example:8200',
      'https://vault-i-0b.example:8200',
      'https://vault-i-0c.example:8200',
    ]);
  });

  it('Given address tags an attacker with ec2:CreateTags wrote (http, credentials, a path, a query, garbage), When nodes are discovered, Then those instances are left out and a plain https one is kept', async () => {
    const aws = cluster();
    const hostile: Record<string, string> = {
      'i-0a': 'http://vault-i-0a.example:8200',
      'i-0b': 'https://user:pass@evil.example:8200',
      'i-0c': 'https://evil.example:8200/v1/sys/unseal-proxy',
    };
    aws.instances = aws.instances.map((i) => ({
      ...i,
      tags: { 'vault-runbook:address': hostile[i.instanceId] ?? '' },
    }));
    const spec = discoverSpec(
      profile({ asg: 'vault-primary', address_tag: 'vault-runbook:address' }),
    );
    expect(await discoverNodes(aws, spec!, signal())).toEqual([]);
    for (const [value, want] of [
      ['https://vault-1.example:8200/', 'https://vault-1.example:8200'],
      ['https://10.0.0.1:8200', 'https://10.0.0.1:8200'],
      ['https://[fd00::1]:8200', 'https://[fd00::1]:8200'],
      ['https://vault-1.example:8200?x=1', undefined],
      ['https://vault-1.example:8200#x', undefined],
      ['not a url', undefined],
      ['', undefined],
    ] as const)
      expect(plainAddress(value, 'https'), value).toBe(want);
  });

  it('Given an ASG name that does not exist, When nodes are discovered, Then the error names it and its region', async () => {
    const spec = discoverSpec(profile({ asg: 'nope', region: 'eu-west-1' }));
    await expect(discoverNodes(cluster(), spec!, signal())).rejects.toThrow(
      "Auto Scaling group 'nope' not found in eu-west-1",
    );
  });

  it('Given a discovering Vault client, When the ASG replaces an instance and it refreshes, Then nodes() names the newcomer at its new IP', async () => {
    const aws = cluster();
    const p = profile({ asg: 'vault-primary' });
    // The composition root gives a discovering profile a Vault port that starts empty and refreshes.
    const { vault } = clusterPorts(p, {});
    expect(vault?.nodes()).toEqual([]);
    expect(typeof vault?.refresh).toBe('function');
    // The same resolver, over the fake AWS (the root wires the real SDK adapter).
    const v = new VaultHttp({
      nodes: [],
      serverName: 'vault.example',
      discover: nodeResolver(p, aws)!,
    });
    await v.refresh(signal());
    expect(v.nodes().map((n) => n.name)).toEqual(['i-0a', 'i-0b', 'i-0c']);
    aws.asg = {
      ...aws.asg,
      instances: [
        member('i-0a', 'us-east-1a'),
        member('i-0c', 'us-east-1c'),
        member('i-new', 'us-east-1b'),
      ],
    };
    aws.instances = [
      ...aws.instances.filter((i) => i.instanceId !== 'i-new' && i.instanceId !== 'i-0b'),
      instance('i-new', 'us-east-1b', '10.0.2.99'),
    ];
    await v.refresh(signal());
    expect(v.nodes()).toContainEqual({ name: 'i-new', address: 'https://10.0.2.99:8200' });
    expect(v.nodes().map((n) => n.name)).not.toContain('i-0b');
  });

  it('Given discover with scheme http and no insecure_override, When the client refreshes, Then it refuses the plain address', async () => {
    const p = profile({ asg: 'vault-primary', scheme: 'http' });
    const v = new VaultHttp({ nodes: [], discover: nodeResolver(p, cluster())! });
    await expect(v.refresh(signal())).rejects.toThrow('refusing an insecure Vault connection');
  });

  it('Given a profile with discover but no tls.server_name, When it is loaded, Then it is refused with exit 2 naming server_name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-discover-'));
    const file = join(dir, 'prod.yaml');
    writeFileSync(
      file,
      'name: prod\nvault:\n  discover: { asg: vault-primary }\n  tls: { ca_cert: ca.pem }\naws: { region: us-east-1 }\n',
    );
    let err: unknown;
    try {
      loadProfile(file);
    } catch (e) {
      err = e;
    }
    expect((err as { exitCode?: number }).exitCode).toBe(ExitCode.usage);
    expect(String((err as Error).message)).toContain('vault.tls.server_name');
    writeFileSync(
      file,
      'name: prod\nvault:\n  discover: { asg: vault-primary }\n  tls: { ca_cert: ca.pem, server_name: vault.example }\naws: { region: us-east-1 }\n',
    );
    expect(loadProfile(file)?.vault.discover?.asg).toBe('vault-primary');
  });

  it('Given discover and fixed addresses both, When the profile is loaded, Then it is refused (which one would be meant?)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-discover-'));
    const file = join(dir, 'prod.yaml');
    writeFileSync(
      file,
      'name: prod\nvault:\n  addresses: [https://10.0.0.1:8200]\n  discover: { asg: vault-primary }\n  tls: { server_name: vault.example }\naws: { region: us-east-1 }\n',
    );
    expect(() => loadProfile(file)).toThrow('not both');
  });

  it('Given a Vault port that discovers its nodes, When a runbook step and a precondition use Vault, Then the nodes are found again before each of them', async () => {
    const calls: string[] = [];
    class Discovering extends FakeVault {
      refresh(): Promise<void> {
        calls.push('refresh');
        return Promise.resolve();
      }
      override health(node: VaultNode, s: AbortSignal): Promise<HealthResult> {
        calls.push(`health ${node.name}`);
        return super.health(node, s);
      }
    }
    const rb = runbookFrom(
      `id: t\ntitle: T\npreconditions:\n  - { check: vault.reachable, message: up }\nsteps:\n  - { id: h, uses: vault.health }\n`,
    );
    const { run } = interpreterFor(rb, { vault: new Discovering({ nodes: ['node-1'] }) });
    await run();
    // Each Vault use is preceded by a refresh: the precondition's, then the step's.
    const firstHealth = calls.indexOf('health node-1');
    expect(firstHealth).toBeGreaterThan(0);
    expect(calls[0]).toBe('refresh');
    expect(calls.filter((c) => c === 'refresh').length).toBeGreaterThanOrEqual(2);
    expect(calls.lastIndexOf('refresh')).toBeLessThan(calls.lastIndexOf('health node-1'));
  });

  it('Given discovery that fails (AWS does not answer), When the status is collected, Then it is one error naming vault.discover with exit 4, not a stack trace', async () => {
    const aws = cluster();
    aws.describeAsg = () => Promise.reject(new Error('Request aborted'));
    const p = profile({ asg: 'vault-primary' });
    const v = new VaultHttp({ nodes: [], discover: nodeResolver(p, aws)! });
    const err = await collectStatus(p, v, undefined, signal()).catch((e: unknown) => e);
    expect((err as { exitCode?: number }).exitCode).toBe(ExitCode.precondition);
    expect((err as Error).message).toBe(
      'finding the Vault nodes (vault.discover): Request aborted',
    );
  });
});
