import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateLaunchTemplateVersionCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Profile } from '../../src/domain/schema.js';
import { layout, SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { alive } from '../../src/sandbox/procs.js';
import { sandboxRecoveryNodes } from '../../src/sandbox/api.js';
import { readLock, type LockView } from './lock.js';
import {
  ec2,
  health,
  httpGet,
  instanceState,
  s3,
  sandbox,
  sandboxEnv,
  statusJson,
  until,
  vaultPut,
  type StatusJson,
} from './helpers.js';
import { builtVersions, initAndUnseal, kvCanary, sandboxUp, unsealNode } from './setup.js';

// One sandbox for every scenario here (startup is expensive); its own slot and XDG dirs.
const { env } = sandboxEnv(93);
const l = layout(env);
const credentials = { ...SANDBOX_CREDENTIALS };
let older = '';
let newer = '';
let profile: Profile;
let caFile = '';
let rootToken = '';
let unsealKey = '';
let moto = '';

const asg = (region: string) => new AutoScalingClient({ region, endpoint: moto, credentials });
const ddb = (region: string) => new DynamoDBClient({ region, endpoint: moto, credentials });
const primaryNodes = (s: StatusJson) =>
  s.processes.filter((p) => p.role === 'vault' && p.region === 'primary');
const regionNodes = (s: StatusJson, region: 'primary' | 'dr') =>
  s.processes.filter((p) => p.role === 'vault' && p.region === region);

const unseal = (address: string) => unsealNode(address, [unsealKey], caFile);

/** Waits for a node at that address to answer on the given version, then unseals it. */
async function newcomer(address: string, version: string): Promise<void> {
  await until(
    `${address} sealed on Vault ${version}`,
    async () => {
      const h = await health(address, caFile);
      return h?.code === 503 && h.version === version ? h : undefined;
    },
    60_000,
  );
  await unseal(address);
  await until('it unsealed', async () => {
    const h = await health(address, caFile);
    return h && !h.sealed ? h : undefined;
  });
}

async function readCanary(base: string): Promise<string | undefined> {
  const r = await httpGet(`${base}/v1/kv/canary`, caFile, rootToken);
  if (r.status !== 200) return undefined;
  return (JSON.parse(r.body) as { data: { value: string } }).data.value;
}

async function versionsList(c: S3Client, bucket: string): Promise<string[]> {
  const out: string[] = [];
  let km: string | undefined;
  let vm: string | undefined;
  for (;;) {
    const r = await c.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: km, VersionIdMarker: vm }),
    );
    for (const v of r.Versions ?? [])
      out.push(`${v.Key} ${v.VersionId} ${v.LastModified?.getTime() ?? 0}`);
    for (const d of r.DeleteMarkers ?? [])
      out.push(`${d.Key} ${d.VersionId} ${d.LastModified?.getTime() ?? 0} delete-marker`);
    if (!r.IsTruncated) return out.sort();
    km = r.NextKeyMarker;
    vm = r.NextVersionIdMarker;
  }
}

beforeAll(async () => {
  ({ older, newer } = await builtVersions());
  profile = await sandboxUp(env, ['--vault-version', older]);
  caFile = profile.vault.tls?.ca_cert ?? '';
  moto = profile.aws?.endpoints?.ec2 ?? '';
  // Init on node-1, unseal all three, a KV v1 canary through the load balancer.
  let keys: string[];
  ({ keys, rootToken } = await initAndUnseal(profile, { shares: 1, threshold: 1 }));
  unsealKey = keys[0] ?? '';
  await kvCanary(profile.vault.api_addr ?? '', caFile, rootToken);
}, 60 * 60_000);

afterAll(async () => {
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('sandbox drills: images, clean termination, broken image, region up, DR, recovery node', () => {
  it('Given a version not in the tools cache, When sandbox image, Then exit 2 naming the built ones', async () => {
    const r = await sandbox(['image', '1.2.3'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no Vault 1.2.3 binary in the tools cache');
    expect(r.stderr).toContain(newer);
    expect((await sandbox(['image', 'latest'], env)).exitCode).toBe(2);
    const up = await sandbox(['fault', 'region-up'], env);
    expect(up.exitCode).toBe(2);
    expect(up.stderr).toContain('the primary region is not down');
    expect((await sandbox(['fault', 'broken-image', 'latest'], env)).exitCode).toBe(2);
  }, 240_000);

  it('Given a launch-template version on the newer AMI, When a standby is terminated through the ASG, Then its replacement runs the newer version', async () => {
    expect(older).not.toBe(newer); // two built versions, or there is no upgrade to test
    const img = await sandbox(['image', newer, '--json'], env);
    expect(img.exitCode).toBe(0);
    const { amiId } = JSON.parse(img.stdout) as { amiId: string };
    expect(amiId).toMatch(/^ami-/);
    const e = ec2(moto, 'us-east-1');
    const v = await e.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: l.regions.primary.launchTemplate,
        SourceVersion: '$Latest',
        VersionDescription: `Vault ${newer}`,
        LaunchTemplateData: { ImageId: amiId },
      }),
    );
    // The ASG on that version by number (it was on $Latest, which names the same one).
    await asg('us-east-1').send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: l.regions.primary.asg,
        LaunchTemplate: {
          LaunchTemplateName: l.regions.primary.launchTemplate,
          Version: String(v.LaunchTemplateVersion?.VersionNumber ?? ''),
        },
      }),
    );
    const before = await statusJson(env);
    const standby = primaryNodes(before).find((p) => p.health?.code === 429);
    expect(standby?.version).toBe(older);
    await asg('us-east-1').send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: standby?.instanceId,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    await newcomer(standby?.address ?? '', newer);
    const after = await statusJson(env);
    const fresh = primaryNodes(after).find((p) => p.address === standby?.address);
    expect(fresh?.instanceId).not.toBe(standby?.instanceId);
    expect(fresh?.version).toBe(newer);
    expect(alive(standby?.pid ?? 0)).toBe(false);
    expect(await instanceState(e, standby?.instanceId ?? '')).toBe('terminated');
    // A clean stop: Vault logged its shutdown (a SIGKILL leaves no such line).
    const log = readFileSync(`${l.logsDir}/${standby?.name}-${standby?.instanceId}.log`, 'utf8');
    expect(log).toMatch(/shutdown triggered|shutting down/i);
  }, 240_000);

  it('Given the active node, When its instance is terminated through EC2, Then its Vault releases the HA lock and a standby takes it before the lock would have expired', async () => {
    const lb = profile.vault.api_addr ?? '';
    const s = await statusJson(env);
    const active = primaryNodes(s).find((p) => p.health?.code === 200);
    expect(active).toBeDefined();
    const table = ddb('us-east-1');
    const held: LockView = await until('the HA lock in DynamoDB', async () =>
      readLock(table, l.regions.primary.table),
    );
    const t0 = Date.now();
    await ec2(moto, 'us-east-1').send(
      new TerminateInstancesCommand({ InstanceIds: [active?.instanceId ?? ''] }),
    );
    // Released, not expired: a new holder while the old record's expiry is still ahead.
    const next = await until(
      'a new lock holder',
      async () => {
        const now = await readLock(table, l.regions.primary.table);
        return now && now.holder !== held.holder ? { now, seenAt: Date.now() } : undefined;
      },
      20_000,
    );
    process.stdout.write(
      `terminate → new HA lock holder after ${next.seenAt - t0} ms (the old lock would have expired ${held.expiresAt - next.seenAt} ms later; TTL 15 s)\n`,
    );
    expect(next.seenAt).toBeLessThan(held.expiresAt);
    await until('the canary through the load balancer', () => readCanary(lb));
    const log = readFileSync(`${l.logsDir}/${active?.name}-${active?.instanceId}.log`, 'utf8');
    expect(log).toMatch(/shutdown triggered|shutting down/i);
    // Its replacement comes from the ASG's launch template: the newer version.
    await newcomer(active?.address ?? '', newer);
  }, 240_000);

  it('Given broken-image on the newer version, When a standby is replaced, Then the newcomer never becomes healthy and the cluster keeps serving', async () => {
    const lb = profile.vault.api_addr ?? '';
    expect((await sandbox(['fault', 'broken-image', newer], env)).exitCode).toBe(0);
    const s = await statusJson(env);
    // Any standby: its replacement comes from the launch template's (newer, broken) AMI.
    const victim = primaryNodes(s).find((p) => p.health?.code === 429);
    expect(victim).toBeDefined();
    await asg('us-east-1').send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: victim?.instanceId,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    // The supervisor restarts it like systemd would, and it fails every time.
    const state = await until(
      'a second failed start of the newcomer',
      () => {
        const st = JSON.parse(readFileSync(l.stateFile, 'utf8')) as {
          events: { message: string }[];
        };
        return Promise.resolve(
          st.events.some((e) =>
            new RegExp(`${victim?.name}: vault exited, restarting \\(attempt 2\\)`).test(e.message),
          )
            ? st
            : undefined,
        );
      },
      60_000,
    );
    expect(state.events.some((e) => /BROKEN image/.test(e.message))).toBe(true);
    expect(await health(victim?.address ?? '', caFile)).toBeUndefined();
    expect(await readCanary(lb)).toBe('before');
    const broken = primaryNodes(await statusJson(env)).find((p) => p.name === victim?.name);
    expect(broken?.instanceId ?? '(no live process)').not.toBe(victim?.instanceId);

    // Healed images and the broken instance replaced: the cluster is whole again.
    expect((await sandbox(['fault', 'broken-image', 'off'], env)).exitCode).toBe(0);
    expect((await sandbox(['fault', 'kill', victim?.name ?? ''], env)).exitCode).toBe(0);
    await newcomer(victim?.address ?? '', newer);
  }, 240_000);

  it('Given the Route 53 record, When read from moto and from status, Then it points at the primary load balancer', async () => {
    const s = (await statusJson(env)) as StatusJson & {
      dns?: { values: string[]; region?: string };
      regions?: Record<string, { desired?: number }>;
    };
    expect(s.dns?.region).toBe('primary');
    expect(s.dns?.values).toEqual([l.regions.primary.proxyHost]);
    expect(s.regions?.dr?.desired).toBe(0);
    const text = await sandbox(['status'], env);
    expect(text.stdout).toContain(
      `${l.recordName} → ${l.regions.primary.proxyHost} = the primary load balancer`,
    );
  }, 240_000);

  let primaryVersions: string[] = [];
  let downAt = 0;

  it('Given region-down, When the DR ASG is scaled up and unsealed, Then real DR nodes serve the canary from the DR bucket with the DR lock table', async () => {
    const router = s3(profile.aws?.endpoints?.s3 ?? '', 'us-east-1');
    // Each MinIO checks the signature's region: the DR bucket is signed for us-west-2.
    const drS3 = s3(profile.aws?.endpoints?.s3 ?? '', 'us-west-2');
    await until('the canary replicated', async () => {
      const dr = await versionsList(drS3, l.regions.dr.bucket);
      return dr.some((k) => k.startsWith('logical/')) ? true : undefined;
    });
    primaryVersions = await versionsList(router, l.regions.primary.bucket);
    expect((await sandbox(['fault', 'region-down'], env)).exitCode).toBe(0);
    downAt = Date.now();
    // The failover's fence: the primary's AWS APIs answer in this outage, so its ASG goes to 0.
    await asg('us-east-1').send(
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: l.regions.primary.asg,
        DesiredCapacity: 0,
      }),
    );
    await asg('us-west-2').send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: l.regions.dr.asg, DesiredCapacity: 3 }),
    );
    const dr = await until(
      'three DR nodes answering',
      async () => {
        const n = regionNodes(await statusJson(env), 'dr');
        return n.length === 3 && n.every((p) => p.health?.code === 503) ? n : undefined;
      },
      90_000,
    );
    for (const n of dr) {
      expect(n.address).toMatch(new RegExp(`^https://127\\.${l.slot}\\.2\\.`));
      expect(n.health).toMatchObject({ initialized: true, sealed: true });
      const cfg = readFileSync(`${l.dir}/nodes/${n.instanceId}/vault.hcl`, 'utf8');
      expect(cfg).toContain(`bucket              = "${l.regions.dr.bucket}"`);
      expect(cfg).toContain(`table      = "${l.regions.dr.table}"`);
      await unseal(n.address ?? '');
    }
    const drLb = `https://${l.regions.dr.proxyHost}:${l.proxyPort}`;
    expect(
      await until('the canary through the DR load balancer', () => readCanary(drLb), 60_000),
    ).toBe('before');
    const lock = await readLock(ddb('us-west-2'), l.regions.dr.table);
    expect(lock?.holder).toBeDefined();

    // Cut-over: the record now names the DR load balancer, and status says so.
    const r53 = new Route53Client({ region: 'us-east-1', endpoint: moto, credentials });
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: profile.aws?.route53?.zone_id,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: `${l.recordName}.`,
                Type: 'A',
                TTL: 10,
                ResourceRecords: [{ Value: l.regions.dr.proxyHost }],
              },
            },
          ],
        },
      }),
    );
    await until('status to show the DNS on DR', async () => {
      const s = (await statusJson(env)) as StatusJson & { dns?: { region?: string } };
      return s.dns?.region === 'dr' ? true : undefined;
    });
    expect((await vaultPut(drLb, 'kv/on-dr', { value: 'dr' }, caFile, rootToken)).status).toBe(204);
  }, 240_000);

  it('Given region-down, When region-up, Then S3 and the load balancer answer with the data as it was and the fenced primary stays stopped', async () => {
    expect((await sandbox(['fault', 'region-up'], env)).exitCode).toBe(0);
    const router = s3(profile.aws?.endpoints?.s3 ?? '', 'us-east-1');
    // As it was at the failure: every version seen before is there, none is newer than it.
    const after = await versionsList(router, l.regions.primary.bucket);
    expect(after).toEqual(expect.arrayContaining(primaryVersions));
    for (const v of after) expect(Number(v.split(' ')[2])).toBeLessThanOrEqual(downAt + 1_000);
    const lb = new URL(profile.vault.api_addr ?? '');
    // The load balancer listens again; with no node behind it, it says so (503), as an ALB does.
    expect((await httpGet(`${lb.origin}/v1/sys/health`, caFile)).status).toBe(503);
    const g = await asg('us-east-1').send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [l.regions.primary.asg] }),
    );
    expect(g.AutoScalingGroups?.[0]?.DesiredCapacity).toBe(0);
    // A few reconcile passes later still no primary node (the fence holds).
    await new Promise((r) => setTimeout(r, 3_000));
    const s = (await statusJson(env)) as StatusJson & {
      replication?: { paused?: string };
      regions?: Record<string, { up: boolean }>;
    };
    expect(regionNodes(s, 'primary')).toEqual([]);
    expect(s.regions?.primary?.up).toBe(true);
    // Replication does not resume by itself onto a DR bucket that took writes since.
    expect(s.replication?.paused).toMatch(/region went down/);
    expect((await sandbox(['status'], env)).stdout).toMatch(
      /primary\s+us-east-1\s+up\s+asg vault-sandbox-primary desired 0[\s\S]*PAUSED/,
    );
    const resumed = await sandbox(['replication', 'resume'], env);
    expect(resumed.exitCode).toBe(0);
    const again = (await statusJson(env)) as StatusJson & { replication?: { paused?: string } };
    expect(again.replication?.paused).toBeUndefined();
  }, 240_000);

  it('Given a quarantine copy of the bucket, When a recovery node starts on it with its own lock table, Then it unseals, reads the canary, touches no live table, and is destroyed with its table', async () => {
    const direct = s3(profile.aws?.endpoints?.s3 ?? '', 'us-east-1');
    const q = 'vault-quarantine-drill';
    await direct.send(new CreateBucketCommand({ Bucket: q }));
    const objs = await direct.send(new ListObjectsV2Command({ Bucket: l.regions.primary.bucket }));
    for (const o of objs.Contents ?? [])
      await direct.send(
        new CopyObjectCommand({
          Bucket: q,
          Key: o.Key,
          CopySource: `${l.regions.primary.bucket}/${encodeURIComponent(o.Key ?? '').replace(/%2F/g, '/')}`,
        }),
      );
    const refused = await sandbox(
      ['recovery-node', 'start', 'bad', '--bucket', l.regions.primary.bucket],
      env,
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('live data bucket');
    const port = sandboxRecoveryNodes(env);
    const node = await port.start(
      { name: 'drill', bucket: q, lockTable: 'vault-quarantine-drill-ha' },
      AbortSignal.timeout(60_000),
    );
    expect(node.address).toBe(`https://127.${l.slot}.3.1:8200`);
    expect(node.lockTableCreated).toBe(true);
    expect((await health(node.address, caFile))?.code).toBe(503);
    const liveLocks = async () => ({
      primary: await readLock(ddb('us-east-1'), l.regions.primary.table),
      dr: (await readLock(ddb('us-west-2'), l.regions.dr.table))?.holder,
    });
    const before = await liveLocks();
    await unseal(node.address);
    expect(
      await until('the canary on the recovery node', () => readCanary(node.address), 60_000),
    ).toBe('before');
    const own = await until('its own lock', () =>
      readLock(ddb('us-east-1'), 'vault-quarantine-drill-ha'),
    );
    // The live lock tables saw nothing of it: the same holders (the primary's stale lock intact).
    expect(await liveLocks()).toEqual(before);
    expect(own.holder).not.toBe(before.dr);
    expect((await port.list(AbortSignal.timeout(5_000))).map((n) => n.name)).toEqual(['drill']);
    const gone = await port.destroy('drill', AbortSignal.timeout(30_000));
    expect(gone).toMatchObject({ stopped: true, lockTableDeleted: 'vault-quarantine-drill-ha' });
    expect(alive(node.pid)).toBe(false);
    await expect(
      ddb('us-east-1').send(new DescribeTableCommand({ TableName: 'vault-quarantine-drill-ha' })),
    ).rejects.toThrow();
    // A resumed cleanup destroying it again is no error.
    expect(await port.destroy('drill', AbortSignal.timeout(5_000))).toMatchObject({
      stopped: false,
    });
  }, 240_000);
});
