import { describe, expect, it } from 'vitest';
import type { Profile } from '../../domain/schema.js';
import { FakeAws } from '../../test-support/fake-aws-failover.js';
import { FakeVault } from '../../test-support/fake-vault.js';
import { interpreterFor, runbookFrom, ScriptedAnswers } from '../../test-support/fakes.js';
import { Secret } from '../../domain/secret.js';
import type { HumanAnswer, HumanPrompt } from '../human.js';

const profile: Profile = {
  name: 'prod',
  vault: {
    addresses: ['https://node-1:8200', 'https://node-2:8200'],
    dr_addresses: ['https://dr-node-1:8200', 'https://dr-node-2:8200'],
    api_addr: 'https://lb:8200',
    dr_api_addr: 'https://dr-lb:8200',
  },
  aws: {
    region: 'us-east-1',
    dr_region: 'us-west-2',
    asg: 'vault-p',
    dr_asg: 'vault-dr',
    data_bucket: 'data-p',
    dr_data_bucket: 'data-dr',
    dynamodb_table: 'ha-p',
    dr_dynamodb_table: 'ha-dr',
    route53: {
      zone_id: 'Z1',
      record: 'vault.example.com',
      primary_value: '10.0.0.100',
      dr_value: '10.1.0.100',
    },
  },
};

function world(): { aws: FakeAws; vault: FakeVault } {
  const aws = new FakeAws();
  aws.asgs.set('vault-p', { region: 'us-east-1', min: 2, desired: 2, max: 4 });
  aws.asgs.set('vault-dr', { region: 'us-west-2', min: 0, desired: 0, max: 4 });
  aws.tables.set('ha-dr', undefined);
  aws.put('data-p', 'core/keyring', 'k1');
  aws.put('data-dr', 'core/keyring', 'k1');
  aws.records.set('vault.example.com', {
    name: 'vault.example.com.',
    type: 'A',
    ttl: 60,
    values: ['10.0.0.100'],
  });
  const vault = FakeVault.sealedWith(['aa'], 1, {
    nodes: ['node-1', 'node-2'],
    drNodes: ['dr-node-1', 'dr-node-2'],
  });
  for (const n of ['node-1', 'node-2', 'dr-node-1', 'dr-node-2']) vault.state(n).down = true;
  return { aws, vault };
}

const human = (answer: (p: HumanPrompt) => HumanAnswer) =>
  new ScriptedAnswers((_id, p) => Promise.resolve(answer(p)));

describe('failover.fence', () => {
  const rb = runbookFrom('id: t\ntitle: T\nsteps:\n  - { id: fence, uses: failover.fence }\n');

  it('Given the primary ASG API answers, When fenced, Then its ASG goes to 0 and nobody is asked', async () => {
    const { aws, vault } = world();
    const h = human(() => {
      throw new Error('nobody should be asked');
    });
    const r = await interpreterFor(rb, { aws, vault, profile, human: h }).run();
    expect(r.exitCode).toBe(0);
    expect(aws.asgs.get('vault-p')?.desired).toBe(0);
    expect(h.asked).toEqual([]);
  });

  it('Given the primary APIs do not answer, When the operator ticks every point, Then the fence is acknowledged and journaled with who said so', async () => {
    const { aws, vault } = world();
    aws.down.add('us-east-1');
    const h = human((p) =>
      p.type === 'checklist'
        ? { type: 'checklist', checked: [...p.items] }
        : { type: 'confirm', value: false },
    );
    const { run, events } = interpreterFor(rb, { aws, vault, profile, human: h });
    const r = await run();
    expect(r.exitCode).toBe(0);
    const done = events.find((e) => e.type === 'step-succeeded') as {
      outputs: Record<string, unknown>;
    };
    expect(done.outputs).toMatchObject({ how: 'acknowledged-by-operator', by: 'tester' });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'human-answered', stepId: 'fence', by: 'tester' }),
    );
  });

  it('Given the primary APIs do not answer, When a point is left unticked, Then the step fails: not fenced', async () => {
    const { aws, vault } = world();
    aws.down.add('us-east-1');
    const h = human((p) =>
      p.type === 'checklist'
        ? { type: 'checklist', checked: p.items.slice(0, 1) }
        : { type: 'confirm', value: false },
    );
    const r = await interpreterFor(rb, { aws, vault, profile, human: h }).run();
    expect(r.exitCode).not.toBe(0);
    expect(aws.calls.some((c) => c.startsWith('setAsgCapacity'))).toBe(false);
  });
});

describe('failover.insist', () => {
  const rb = runbookFrom(
    'id: t\ntitle: T\nsteps:\n  - id: insist\n    uses: failover.insist\n    with: { primary-healthy: true, summary: "all fine" }\n  - { id: after, uses: aws.asg-scale, with: { region: dr, desired: 2 } }\n',
  );
  it('Given a healthy primary, When the operator stops, Then the run aborts before anything scales', async () => {
    const { aws, vault } = world();
    const h = human(() => ({ type: 'choose', value: 'stop' }));
    const r = await interpreterFor(rb, { aws, vault, profile, human: h }).run();
    expect(r.exitCode).toBe(3);
    expect(aws.asgs.get('vault-dr')?.desired).toBe(0);
  });
  it('Given a healthy primary, When the operator insists, Then the run goes on', async () => {
    const { aws, vault } = world();
    const h = human(() => ({ type: 'choose', value: 'insist' }));
    const r = await interpreterFor(rb, { aws, vault, profile, human: h }).run();
    expect(r.exitCode).toBe(0);
    expect(aws.asgs.get('vault-dr')?.desired).toBe(2);
  });
});

describe('failover.assess', () => {
  const rb = runbookFrom('id: t\ntitle: T\nsteps:\n  - { id: assess, uses: failover.assess }\n');
  it('Given a write DR lacks and the primary down, When assessed, Then it names the key with both versions and says the primary does not serve', async () => {
    const { aws, vault } = world();
    const pv = aws.put('data-p', 'logical/u/lagged', 'new');
    const { run, events } = interpreterFor(rb, { aws, vault, profile });
    expect((await run()).exitCode).toBe(0);
    const out = events.find((e) => e.type === 'step-succeeded') as {
      outputs: Record<string, unknown>;
    };
    expect(out.outputs).toMatchObject({
      primary_healthy: false,
      dr_ready: true,
      primary_size: 2,
      dr_nodes: ['dr-node-1', 'dr-node-2'],
      gaps: [{ key: 'logical/u/lagged', primaryVersion: pv, drVersion: 'missing' }],
    });
    // Read-only: nothing was scaled, written or deleted.
    expect(aws.calls.filter((c) => /^(set|put|delete|dnsUpsert)/.test(c))).toEqual([]);
  });
});

describe('resume probes', () => {
  it('Given the DR ASG already at the target, When the scale step is probed, Then it took effect and is not run again', async () => {
    const { aws, vault } = world();
    aws.asgs.set('vault-dr', { region: 'us-west-2', min: 0, desired: 2, max: 4 });
    const { fenceAction } = await import('./failover.js');
    const { asgScaleAction, dnsPointAction } = await import('./failover-steps.js');
    const ctx = (input: unknown) =>
      ({
        runId: 'r',
        stepId: 's',
        attempt: 1,
        input,
        signal: new AbortController().signal,
        ports: {
          aws,
          vault,
          clock: { now: () => new Date(), sleep: () => Promise.resolve() },
        },
        profile,
        clusterName: 'prod',
        operator: 't',
        log: () => undefined,
        ask: () => Promise.reject(new Error('no')),
        registerSecret: () => undefined,
        recordProcess: () => undefined,
      }) as never;
    expect((await asgScaleAction.probe?.(ctx({ region: 'dr', desired: 2 })))?.tookEffect).toBe(
      true,
    );
    expect((await dnsPointAction.probe?.(ctx({ to: 'dr' })))?.tookEffect).toBe(false);
    // The primary is not fenced yet (ASG at 2): a resumed fence runs; it never scales up.
    expect((await fenceAction.probe?.(ctx({ region: 'primary' })))?.tookEffect).toBe(false);
    aws.asgs.set('vault-p', { region: 'us-east-1', min: 0, desired: 0, max: 4 });
    expect((await fenceAction.probe?.(ctx({ region: 'primary' })))?.tookEffect).toBe(true);
  });
});

describe('failover.fence of DR (failback): sealing with the operator token', () => {
  const rb = runbookFrom(
    'id: t\ntitle: T\nsteps:\n  - { id: fence, uses: failover.fence, with: { region: dr, scale: false } }\n',
  );
  async function drServing(): Promise<{ aws: FakeAws; vault: FakeVault }> {
    const { aws, vault } = world();
    for (const n of vault.drNodes()) {
      vault.state(n.name).down = false;
      await vault.unseal(n, new Secret('aa'), new AbortController().signal);
    }
    return { aws, vault };
  }
  const typing = (token: string) =>
    human((p) =>
      p.type === 'secret'
        ? { type: 'secret', value: new Secret(token, 'operator token') }
        : { type: 'confirm', value: false },
    );

  it('Given DR serving and a token that may seal, When DR is fenced, Then every DR node ends sealed (each active in turn) and the ASG is left alone', async () => {
    const { aws, vault } = await drServing();
    const { run, events } = interpreterFor(rb, {
      aws,
      vault,
      profile,
      human: typing(vault.rootToken().reveal()),
    });
    const r = await run();
    expect(
      r.exitCode,
      JSON.stringify(events.filter((e) => e.type === 'step-output' || e.type === 'step-failed')),
    ).toBe(0);
    for (const n of vault.drNodes())
      expect((await vault.sealStatus(n, new AbortController().signal)).sealed).toBe(true);
    expect(aws.calls.some((c) => c.startsWith('setAsgCapacity'))).toBe(false);
  });

  it('Given a token whose policy may not seal, When DR is fenced, Then the step fails at once naming the capability, and DR stays unsealed', async () => {
    const { aws, vault } = await drServing();
    const weak = vault.cluster.mint(['operators'], 'init').token;
    const { run, events } = interpreterFor(rb, { aws, vault, profile, human: typing(weak) });
    const r = await run();
    expect(r.exitCode).not.toBe(0);
    expect(JSON.stringify(events)).toMatch(/may not seal .*sys\/seal/);
    expect(vault.calls.filter((c) => c.startsWith('seal ')).length).toBe(1);
  });
});

describe('failback.divergence: the primary ASG came back wanting instances', () => {
  const rb = runbookFrom('id: t\ntitle: T\nsteps:\n  - { id: d, uses: failback.divergence }\n');
  const report = async (primaryDesired: number) => {
    const { aws, vault } = world();
    aws.asgs.set('vault-p', { region: 'us-east-1', min: 0, desired: primaryDesired, max: 4 });
    const { run, events } = interpreterFor(rb, { aws, vault, profile });
    expect((await run()).exitCode).toBe(0);
    const out = events.find((e) => e.type === 'step-succeeded') as {
      outputs: Record<string, unknown>;
    };
    return { out: out.outputs as { primary_desired: number; summary: string }, aws };
  };

  it('Given DR serving and the primary ASG still at 2 (a fence that could not scale it), When the divergence is reported, Then it names the ASG, its size and the step that fences it, and changes nothing', async () => {
    const { out, aws } = await report(2);
    expect(out.primary_desired).toBe(2);
    expect(out.summary.split('\n')[0]).toBe(
      "the primary ASG vault-p wants 2 instance(s) while DR serves (the failover could not scale it to 0): they boot sealed on the primary's old data; step fence-primary scales it to 0 before anything else changes",
    );
    expect(aws.calls.filter((c) => /^(set|put|delete|dnsUpsert)/.test(c))).toEqual([]);
  });

  it('Given the primary ASG at 0, When the divergence is reported, Then it says nothing of it', async () => {
    const { out } = await report(0);
    expect(out.primary_desired).toBe(0);
    expect(out.summary).not.toContain('primary ASG');
  });
});
