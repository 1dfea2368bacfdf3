import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateLaunchTemplateVersionCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { stringify } from 'yaml';
import { recoveryFromProfile } from '../../src/adapters/recovery.js';
import type { AwsRecoveryTimeouts } from '../../src/adapters/recovery-aws.js';
import { RECOVERY_TAG } from '../../src/adapters/aws/recovery-ec2.js';
import type { Profile } from '../../src/domain/schema.js';
import type { RecoveryPort } from '../../src/engine/recovery.js';
import { layout, SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { cliWithFd3, feedSecrets, runIdFrom } from '../support/cli.js';
import { instanceProfile, render } from './aws-recovery-helpers.js';
import { ensureTools } from '../support/tools.js';
import {
  ec2,
  httpGet,
  s3,
  sandbox,
  sandboxEnv,
  statusJson,
  until,
  vaultPut,
  versionsOf,
} from './helpers.js';
import { initAndUnseal, sandboxUp } from './setup.js';

/**
 * Issue 12, quarantine on AWS: the AWS recovery adapter against the sandbox's real moto (EC2,
 * IAM, Auto Scaling) and MinIO (S3). The sandbox's supervisor boots a moto instance tagged as a
 * recovery node into a local Vault on the bucket its user-data names, and writes its address in
 * the `vault-runbook:address` tag (the profile's `recovery.address_tag`).
 */
const { dir, env } = sandboxEnv(88);
const l = layout(env);
let base: Profile;
let profile: Profile;
let moto = '';
let vpcCidr = '';
const ROLE = 'arn:aws:iam::123456789012:role/vault-recovery';
const OPERATOR = '10.99.0.0/24';
const PL = 'pl-63a5400a';
/** The interface endpoints' subnet (terraform's endpoint_cidrs): where 443 may go besides S3. */
let endpoints = '';

const ec2c = () => ec2(moto, 'us-east-1');
const s3c = () => s3(base.aws?.endpoints?.s3 ?? '', 'us-east-1');

function port(
  p: Profile = profile,
  timeouts: Partial<AwsRecoveryTimeouts> = { pollMs: 300 },
): RecoveryPort {
  const r = recoveryFromProfile(p, env, { credentials: { ...SANDBOX_CREDENTIALS }, timeouts });
  if (!r) throw new Error('no recovery port for the AWS-type profile');
  return r;
}

async function instancesOf(name: string) {
  const r = await ec2c().send(
    new DescribeInstancesCommand({ Filters: [{ Name: `tag:${RECOVERY_TAG}`, Values: [name] }] }),
  );
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
}
const liveInstances = async (name: string) =>
  (await instancesOf(name)).filter((i) => i.State?.Name !== 'terminated');
async function groupsOf(name: string) {
  const r = await ec2c().send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: `tag:${RECOVERY_TAG}`, Values: [name] }],
    }),
  );
  return r.SecurityGroups ?? [];
}
async function bucket(name: string): Promise<string> {
  await s3c().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}
const ctl = () => AbortSignal.timeout(120_000);

beforeAll(async () => {
  await ensureTools();
  base = await sandboxUp(env);
  moto = base.aws?.endpoints?.ec2 ?? '';
  // The production nodes' instance profile and the recovery one, as terraform would make them.
  await instanceProfile(moto, 'vault-node');
  await instanceProfile(moto, 'vault-recovery');
  // The launch template as the terraform module writes it: JSON user-data, the node profile.
  const lt = l.regions.primary.launchTemplate;
  const userData = {
    cluster_name: 'sandbox',
    role: 'primary',
    s3_bucket: l.regions.primary.bucket,
    s3_path: '',
    kms_key_id: 'arn:aws:kms:us-east-1:123456789012:key/0000-1111',
    dynamodb_table: l.regions.primary.table,
    tls_cert_parameter: '/vault/sandbox/tls/cert',
    tls_key_parameter: '/vault/sandbox/tls/key',
    tls_ca_parameter: '',
    node_address: 'private_dns',
    ui: true,
    log_level: 'info',
    x_forwarded_for_cidrs: ['10.1.0.0/24'],
    seal_awskms_key_id: '',
  };
  // moto does not merge SourceVersion's data: the AMI and type are given again.
  const cur = await ec2c().send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: lt, Versions: ['$Latest'] }),
  );
  const v = await ec2c().send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateName: lt,
      SourceVersion: '$Latest',
      LaunchTemplateData: {
        ImageId: cur.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId,
        InstanceType: 't3.small',
        UserData: Buffer.from(JSON.stringify(userData)).toString('base64'),
        IamInstanceProfile: { Name: 'vault-node' },
      },
    }),
  );
  await ec2c().send(
    new ModifyLaunchTemplateCommand({
      LaunchTemplateName: lt,
      DefaultVersion: String(v.LaunchTemplateVersion?.VersionNumber),
    }),
  );
  // An isolated subnet of its own in the cluster's VPC (no route to production on AWS).
  const subnets = await ec2c().send(new DescribeSubnetsCommand({}));
  const vpcId = subnets.Subnets?.find((s) => s.CidrBlock?.startsWith('10.'))?.VpcId ?? '';
  vpcCidr =
    (await ec2c().send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0]?.CidrBlock ?? '';
  const isolated = await ec2c().send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: vpcCidr.replace(/\.0\.0\/16$/, '.200.0/24'),
    }),
  );
  endpoints = vpcCidr.replace(/\.0\.0\/16$/, '.201.0/26');
  profile = {
    ...base,
    recovery: {
      subnet_id: isolated.Subnet?.SubnetId ?? '',
      instance_profile: 'vault-recovery',
      role_arn: ROLE,
      operator_cidr: OPERATOR,
      egress_cidrs: [endpoints],
      egress_prefix_lists: [PL],
      address_tag: 'vault-runbook:address',
      start_timeout: '90s',
    },
  };
}, 30 * 60_000);

afterAll(async () => {
  await sandbox(['down', '--purge'], env);
}, 120_000);

describe('the AWS recovery adapter on moto', () => {
  it('Given an AWS-type profile with recovery:, When a node starts on a quarantine bucket, Then it runs the recovery instance profile in the isolated subnet, behind a group that lets in only the operator on 8200 and out only 443, tagged, with user-data the render script turns into a Vault without HA on that bucket', async () => {
    const q = await bucket('vault-quarantine-aws-one');
    const rec = port();
    expect(rec.kind).toContain(profile.recovery?.subnet_id ?? '?');
    const n = await rec.start({ name: 'q-one', bucket: q, runId: 'run-one' }, ctl());
    expect(n).toMatchObject({ name: 'q-one', bucket: q });
    expect(n.address).toMatch(/^https:\/\/127\.\d+\.3\.\d+:\d+$/);
    const [i] = await liveInstances('q-one');
    expect(i?.SubnetId).toBe(profile.recovery?.subnet_id);
    expect(i?.IamInstanceProfile?.Arn).toMatch(/:instance-profile\/vault-recovery$/);
    expect(i?.MetadataOptions?.HttpTokens).toBe('required');
    const tags = Object.fromEntries((i?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      [RECOVERY_TAG]: 'q-one',
      'vault-runbook:run-id': 'run-one',
      'vault-runbook:quarantine-bucket': q,
      Name: 'vault-recovery-q-one',
    });
    // The group: nothing in but the Vault port from the operator; nothing out but 443.
    const [g] = await groupsOf('q-one');
    expect(i?.SecurityGroups?.map((s) => s.GroupId)).toEqual([g?.GroupId]);
    expect(g?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 8200,
        ToPort: 8200,
        IpRanges: [expect.objectContaining({ CidrIp: OPERATOR })],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      }),
    ]);
    expect(g?.IpPermissionsEgress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [expect.objectContaining({ CidrIp: endpoints })],
        // Nor AWS's default ::/0 egress of a dual-stack VPC.
        Ipv6Ranges: [],
        PrefixListIds: [expect.objectContaining({ PrefixListId: PL })],
      }),
    ]);
    // The user-data: the cluster's, with role recovery, the quarantine bucket and no lock table.
    const ud = await ec2c().send(
      new DescribeInstanceAttributeCommand({ InstanceId: i?.InstanceId, Attribute: 'userData' }),
    );
    const text = Buffer.from(ud.UserData?.Value ?? '', 'base64').toString('utf8');
    const data = JSON.parse(text) as Record<string, unknown>;
    expect(data).toMatchObject({ role: 'recovery', s3_bucket: q, x_forwarded_for_cidrs: [] });
    expect(data).not.toHaveProperty('dynamodb_table');
    const hcl = await render(dir, text);
    expect(hcl).toContain(`bucket     = "${q}"`);
    expect(hcl).not.toContain('ha_storage');
    expect(hcl).not.toContain(l.regions.primary.bucket);
    expect(hcl).not.toContain(l.regions.primary.table);
    // The recovery role gets the quarantine bucket by the bucket's policy, and only that bucket.
    const policy = await s3c().send(new GetBucketPolicyCommand({ Bucket: q }));
    expect(policy.Policy).toContain(ROLE);
    expect(policy.Policy).toContain(`arn:aws:s3:::${q}/*`);
    expect((await rec.list(ctl())).map((x) => x.name)).toContain('q-one');
    // The sandbox booted it: a local recovery Vault on that bucket.
    const st = await statusJson(env);
    expect(st.processes.map((p) => p.name)).toContain('recovery-q-one');

    // When destroyed, Then the instance is terminated, the group deleted and its Vault gone.
    const d = await rec.destroy('q-one', ctl());
    expect(d.stopped).toBe(true);
    expect(d.detail).toMatch(/instance i-\S+ terminated; security group sg-\S+ deleted/);
    expect(await liveInstances('q-one')).toEqual([]);
    expect(await groupsOf('q-one')).toEqual([]);
    expect(await rec.list(ctl())).toEqual([]);
    await until('the recovery Vault stopped', async () =>
      (await statusJson(env)).processes.some((p) => p.name === 'recovery-q-one') ? undefined : true,
    );
    // Destroying again finds nothing and says so.
    expect(await rec.destroy('q-one', ctl())).toEqual({ stopped: false });
  }, 300_000);

  it('Given the live bucket, the live lock table or the production instance profile, When a node is asked for, Then it is refused as a usage error and nothing is launched', async () => {
    const rec = port();
    await expect(
      rec.start({ name: 'q-live', bucket: l.regions.primary.bucket }, ctl()),
    ).rejects.toThrow(/is a live data bucket/);
    await expect(
      rec.start(
        { name: 'q-live', bucket: 'vault-quarantine-x', lockTable: l.regions.primary.table },
        ctl(),
      ),
    ).rejects.toThrow(/is a live HA lock table/);
    const q = await bucket('vault-quarantine-aws-prod');
    const prodRole = port({
      ...profile,
      recovery: {
        ...(profile.recovery as NonNullable<Profile['recovery']>),
        instance_profile: 'vault-node',
      },
    });
    await expect(prodRole.start({ name: 'q-live', bucket: q }, ctl())).rejects.toThrow(
      /is the production nodes'.*reaches the live bucket/,
    );
    expect(await instancesOf('q-live')).toEqual([]);
    expect(await groupsOf('q-live')).toEqual([]);
  }, 120_000);

  it('Given a recovery section naming no egress (the old default was the VPC CIDR, the load balancer included), When the adapter is made, Then it is a one-line usage error naming both fields and nothing is launched', async () => {
    const {
      egress_cidrs: _c,
      egress_prefix_lists: _p,
      ...open
    } = profile.recovery ?? {
      subnet_id: '',
      instance_profile: '',
      role_arn: '',
      operator_cidr: '',
    };
    expect(() => port({ ...profile, recovery: open })).toThrow(
      /^recovery needs egress_cidrs or egress_prefix_lists \(/,
    );
    expect(await instancesOf('q-open')).toEqual([]);
  });

  it('Given a recovery instance whose address tag someone else wrote, When listed and started, Then only a plain address of its own private IP or loopback is used, and a loopback server whose certificate is not from the profile’s CA gets no request', async () => {
    const q = await bucket('vault-quarantine-aws-tag');
    const good = await port().start({ name: 'q-tag', bucket: q }, ctl());
    const [i] = await liveInstances('q-tag');
    const HOSTILE = 'vault-runbook:hostile';
    const tagged = port(
      {
        ...profile,
        recovery: {
          ...(profile.recovery as NonNullable<Profile['recovery']>),
          address_tag: HOSTILE,
        },
      },
      { pollMs: 300, startMs: 3_000 },
    );
    const tag = (Value: string) =>
      ec2c().send(
        new CreateTagsCommand({
          Resources: [i?.InstanceId ?? ''],
          Tags: [{ Key: HOSTILE, Value }],
        }),
      );
    const listed = async () => (await tagged.list(ctl())).find((n) => n.name === 'q-tag');
    for (const value of [
      'https://203.0.113.7:8200',
      'https://vault:pw@127.0.0.1:8200',
      `${good.address}/v1/sys/seal?`,
      `${good.address}#x`,
      'https://[::1]:8200',
      good.address.replace(/^https:/, 'http:'),
      'not an address',
    ]) {
      await tag(value);
      expect(await listed(), value).toBeUndefined();
    }
    // Its own private IP is a plain address (listed, not connected to: not loopback here).
    await tag(`https://${i?.PrivateIpAddress}:8200/`);
    expect((await listed())?.address).toBe(`https://${i?.PrivateIpAddress}:8200`);
    // A loopback server with a certificate of its own: TLS against the profile's CA refuses it.
    const cert = join(dir, 'not-the-ca');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${cert}.key`, '-out', `${cert}.pem`,
    ], { stdio: 'ignore' }); // prettier-ignore
    let handshakes = 0;
    let requests = 0;
    const server = createServer(
      { key: readFileSync(`${cert}.key`), cert: readFileSync(`${cert}.pem`) },
      (_req, res) => {
        requests++;
        res.end('{}');
      },
    );
    server.on('tlsClientError', () => handshakes++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const a = server.address();
      const impostor = `https://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
      await tag(impostor);
      expect((await listed())?.address).toBe(impostor);
      await expect(tagged.start({ name: 'q-tag', bucket: q }, ctl())).rejects.toThrow(
        new RegExp(
          `q-tag \\(i-\\S+\\): not ready within 3 s: running, but its Vault API at ${impostor.replace(/\./g, '\\.')} does not answer .*; cleaned up: instance i-\\S+ terminated`,
        ),
      );
      expect(handshakes).toBeGreaterThan(0);
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
    expect(await liveInstances('q-tag')).toEqual([]);
  }, 180_000);

  it('Given an instance whose Vault never answers, When the start deadline passes, Then start fails saying what it waited for and that it cleaned up, and no instance or group is left', async () => {
    const q = await bucket('vault-quarantine-aws-mute');
    // Nobody writes this tag: the instance runs, but no address of its Vault ever appears.
    const mute = port(
      {
        ...profile,
        recovery: {
          ...(profile.recovery as NonNullable<Profile['recovery']>),
          address_tag: 'vault-runbook:never',
        },
      },
      { pollMs: 300, startMs: 3_000 },
    );
    await expect(mute.start({ name: 'q-mute', bucket: q }, ctl())).rejects.toThrow(
      /q-mute \(i-\S+\): not ready within 3 s: running, but it has no address yet \(tag vault-runbook:never\); cleaned up: instance i-\S+ terminated; security group sg-\S+ deleted/,
    );
    expect(await liveInstances('q-mute')).toEqual([]);
    expect(await groupsOf('q-mute')).toEqual([]);
  }, 120_000);
});

describe('the AWS recovery adapter resuming a half-made quarantine', () => {
  it('Given a start cut off after its instance launched, When started again for the same node and bucket, Then it waits for that instance instead of launching a second one', async () => {
    const q = await bucket('vault-quarantine-aws-adopt');
    const stop = new AbortController();
    const first = port().start({ name: 'q-adopt', bucket: q }, stop.signal);
    first.catch(() => undefined);
    await until('the first instance', async () =>
      (await instancesOf('q-adopt')).length ? true : undefined,
    );
    // What a SIGKILL leaves: the start stops where it is, nothing is cleaned up.
    stop.abort(new Error('killed'));
    await expect(first).rejects.toThrow();
    const n = await port().start({ name: 'q-adopt', bucket: q }, ctl());
    expect(n.address).toMatch(/^https:\/\//);
    expect((await instancesOf('q-adopt')).map((i) => i.InstanceId)).toHaveLength(1);
    expect(await groupsOf('q-adopt')).toHaveLength(1);
    await port().destroy('q-adopt', ctl());
    expect(await liveInstances('q-adopt')).toEqual([]);
  }, 180_000);

  it('Given a security group left by a start killed before its instance, When started again, Then the stray group is replaced and only the new one is left', async () => {
    const q = await bucket('vault-quarantine-aws-stray');
    const { CreateSecurityGroupCommand } = await import('@aws-sdk/client-ec2');
    const subnet = await ec2c().send(
      new DescribeSubnetsCommand({ SubnetIds: [profile.recovery?.subnet_id ?? ''] }),
    );
    const stray = await ec2c().send(
      new CreateSecurityGroupCommand({
        GroupName: 'vault-recovery-q-stray',
        Description: 'left by a killed run',
        VpcId: subnet.Subnets?.[0]?.VpcId,
        TagSpecifications: [
          { ResourceType: 'security-group', Tags: [{ Key: RECOVERY_TAG, Value: 'q-stray' }] },
        ],
      }),
    );
    await port().start({ name: 'q-stray', bucket: q }, ctl());
    const groups = (await groupsOf('q-stray')).map((g) => g.GroupId);
    expect(groups).toHaveLength(1);
    expect(groups).not.toContain(stray.GroupId);
    await port().destroy('q-stray', ctl());
    expect(await groupsOf('q-stray')).toEqual([]);
  }, 180_000);
});

describe('s3-secret-recovery in quarantine mode on the AWS-type profile', () => {
  let caFile = '';
  let lb = '';
  let rootToken = '';
  let shares: string[] = [];
  let uuid = '';
  let awsProfile = '';

  const kvPut = async (path: string, value: string) => {
    const r = await vaultPut(lb, `kv1/${path}`, { value }, caFile, rootToken);
    if (r.status !== 204) throw new Error(`write ${path}: ${r.status}`);
  };
  const kvGet = async (path: string) => {
    const r = await httpGet(`${lb}/v1/kv1/${path}`, caFile, rootToken);
    return r.status === 200
      ? (JSON.parse(r.body) as { data: { value: string } }).data.value
      : undefined;
  };
  /** The S3 version the write makes of the secret's object. */
  async function written(path: string, value: string): Promise<string> {
    const key = `logical/${uuid}/${path}`;
    const before = new Set(
      (await versionsOf(s3c(), l.regions.primary.bucket, key)).map((v) => v.VersionId),
    );
    await kvPut(path, value);
    const made = (await versionsOf(s3c(), l.regions.primary.bucket, key)).filter(
      (v) => !before.has(v.VersionId),
    );
    expect(made).toHaveLength(1);
    return made[0]?.VersionId ?? '';
  }
  function run(args: string[], secrets: readonly string[]) {
    const child = cliWithFd3([...args, '--headless', '--secrets-fd', '3'], {
      ...env,
      VAULT_TOKEN: rootToken,
      VAULT_RUNBOOK_PROFILE: awsProfile,
    });
    feedSecrets(child, secrets);
    return child;
  }
  /** Nothing of a quarantine on AWS is left: instance, group, bucket, recovery Vault. */
  async function nothingLeft(): Promise<void> {
    const { ListBucketsCommand } = await import('@aws-sdk/client-s3');
    const r = await ec2c().send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: [RECOVERY_TAG] }] }),
    );
    const live = (r.Reservations ?? [])
      .flatMap((x) => x.Instances ?? [])
      .filter((i) => i.State?.Name !== 'terminated');
    expect(live.map((i) => i.InstanceId)).toEqual([]);
    const g = await ec2c().send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: [RECOVERY_TAG] }] }),
    );
    expect(g.SecurityGroups ?? []).toEqual([]);
    const buckets = await s3c().send(new ListBucketsCommand({}));
    expect(
      (buckets.Buckets ?? [])
        .map((b) => b.Name)
        .filter((n) => n?.startsWith('vault-quarantine-s3')),
    ).toEqual([]);
    await until('no recovery Vault process', async () =>
      (await statusJson(env)).processes.some((p) => p.name.startsWith('recovery-q-'))
        ? undefined
        : true,
    );
  }

  beforeAll(async () => {
    caFile = base.vault.tls?.ca_cert ?? '';
    lb = base.vault.api_addr ?? '';
    ({ keys: shares, rootToken } = await initAndUnseal(base, { shares: 3, threshold: 2 }));
    await until('kv1 mounted', async () => {
      const r = await vaultPut(
        lb,
        'sys/mounts/kv1',
        { type: 'kv', options: { version: '1' } },
        caFile,
        rootToken,
      );
      return r.status === 204 || r.status === 400 ? true : undefined;
    });
    const m = await httpGet(`${lb}/v1/sys/mounts`, caFile, rootToken);
    uuid =
      (JSON.parse(m.body) as { data: Record<string, { uuid: string }> }).data['kv1/']?.uuid ?? '';
    awsProfile = join(dir, 'aws-profile.yaml');
    writeFileSync(awsProfile, stringify(profile));
  }, 300_000);

  it('Given kv1/app written v1 then v2, When the runbook runs headless in quarantine mode on the AWS-type profile with the shares pasted with trailing blanks, Then the recovery node is an instance launched by the AWS adapter, app reads v1, and no instance, group, bucket or Vault of the quarantine is left', async () => {
    const v1 = await written('app', 'v1');
    await kvPut('app', 'v2');
    const r = await run(
      [
        'run',
        's3-secret-recovery',
        '--var',
        'path=kv1/app',
        '--var',
        `version=${v1}`,
        '--var',
        'mode=quarantine',
      ],
      // Pasted with trailing blanks and a CR, as a terminal or a Windows clipboard gives them.
      shares.map((x) => `${x} \t\r`),
    );
    const out = `${String(r.stdout)}\n${String(r.stderr)}`;
    expect(r.exitCode, out).toBe(0);
    expect(out).toContain(`AWS (an instance in ${profile.recovery?.subnet_id}`);
    expect(out).toMatch(/instance i-\S+ terminated; security group sg-\S+ deleted/);
    expect(await kvGet('app')).toBe('v1');
    await nothingLeft();
  }, 600_000);

  it('Given a quarantine run SIGKILLed once its security group exists, When resumed, Then it cleans the half-made quarantine up, finishes the recovery and leaves nothing behind', async () => {
    const target = await written('app', 'before-kill');
    await kvPut('app', 'after');
    const child = run(
      [
        'run',
        's3-secret-recovery',
        '--var',
        'path=kv1/app',
        '--var',
        `version=${target}`,
        '--var',
        'mode=quarantine',
      ],
      shares,
    );
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    // Killed as soon as the adapter made the group: before its instance answers, or exists.
    let group = '';
    await until(
      'the recovery node’s security group',
      async () => {
        const g = await ec2c().send(
          new DescribeSecurityGroupsCommand({
            Filters: [{ Name: 'tag-key', Values: [RECOVERY_TAG] }],
          }),
        );
        group = g.SecurityGroups?.[0]?.GroupId ?? '';
        return group || undefined;
      },
      120_000,
    );
    child.kill('SIGKILL');
    await child;
    const runId = runIdFrom(out);
    const resumed = await run(['resume', runId], shares);
    const text = `${String(resumed.stdout)}\n${String(resumed.stderr)}`;
    expect(resumed.exitCode, text).toBe(0);
    expect(await kvGet('app')).toBe('before-kill');
    await nothingLeft();
    // The group the killed run made is gone too, whichever way the resumed run met it.
    const g = await ec2c()
      .send(new DescribeSecurityGroupsCommand({ GroupIds: [group] }))
      .catch(() => undefined);
    expect(g?.SecurityGroups ?? []).toEqual([]);
  }, 600_000);
});
