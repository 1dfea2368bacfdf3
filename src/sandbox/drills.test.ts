import { describe, expect, it } from 'vitest';
import { subnetOrder } from './asg.js';
import { regionOf } from './dns.js';
import { brokenImage } from './faults.js';
import { buildName } from './images.js';
import { layout } from './layout.js';
import { refuseRecovery } from './recovery.js';
import { regionLines } from './status.js';
import type { SandboxState } from './state.js';
import { BROKEN_CERT_SUFFIX, renderConfig, vaultConfig, type NodeSpec } from './vault-node.js';

const l = layout({ VAULT_RUNBOOK_SANDBOX_SLOT: '7', XDG_STATE_HOME: '/tmp/x', HOME: '/tmp/x' });
const tls = { ca: '/t/ca.pem', cert: '/t/server.pem', key: '/t/server-key.pem' };

describe('recovery node requests', () => {
  const ok = { name: 'q1', bucket: 'vault-quarantine-1' };
  it('Given a quarantine bucket and no table, When checked, Then it is accepted', () => {
    expect(refuseRecovery(l, ok, new Set())).toBeUndefined();
    expect(refuseRecovery(l, { ...ok, lockTable: 'vault-quarantine-ha' }, new Set())).toBe(
      undefined,
    );
  });
  it('Given a live data bucket of either region, When checked, Then it is refused', () => {
    for (const b of [l.regions.primary.bucket, l.regions.dr.bucket])
      expect(refuseRecovery(l, { ...ok, bucket: b }, new Set())).toMatch(/live data bucket/);
  });
  it('Given a live lock table, When checked, Then it is refused', () => {
    for (const t of [l.regions.primary.table, l.regions.dr.table])
      expect(refuseRecovery(l, { ...ok, lockTable: t }, new Set())).toMatch(/live HA lock table/);
  });
  it('Given a path-like name, a taken name or a bad region, When checked, Then each is refused', () => {
    expect(refuseRecovery(l, { ...ok, name: '../x' }, new Set())).toMatch(/lowercase/);
    expect(refuseRecovery(l, ok, new Set(['q1']))).toMatch(/running already/);
    expect(refuseRecovery(l, { ...ok, region: 'mars' as never }, new Set())).toMatch(/region/);
    expect(refuseRecovery(l, { ...ok, bucket: 'A b' }, new Set())).toMatch(/bucket name/);
  });
});

describe('Vault server configs', () => {
  const base = {
    comment: 'c',
    host: '127.7.3.1',
    region: 'primary' as const,
    bucket: 'vault-quarantine-1',
    clusterName: 'x',
    tlsCertFile: tls.cert,
  };
  it('Given no lock table, When rendered, Then there is no ha_storage and storage is the bucket', () => {
    const c = renderConfig(l, base, tls);
    expect(c).not.toContain('ha_storage');
    expect(c).toContain('bucket              = "vault-quarantine-1"');
    expect(c).not.toContain(l.regions.primary.table);
  });
  it('Given its own lock table, When rendered, Then ha_storage names that table only', () => {
    const c = renderConfig(l, { ...base, haTable: 'vault-quarantine-ha' }, tls);
    expect(c).toMatch(/ha_storage "dynamodb"[^}]*table\s+= "vault-quarantine-ha"/);
  });
  it('Given a node from a broken image, When rendered, Then its listener certificate is missing', () => {
    const spec: NodeSpec = {
      region: 'primary',
      slot: 4,
      instanceId: 'i-1',
      az: 'us-east-1a',
      amiId: 'ami-1',
      version: '1.14.8',
      bin: '/bin/vault',
    };
    expect(vaultConfig(l, spec, tls)).toContain(`tls_cert_file   = "${tls.cert}"`);
    const broken = vaultConfig(l, { ...spec, broken: true }, tls);
    expect(broken).toContain(`"${tls.cert}${BROKEN_CERT_SUFFIX}"`);
    expect(broken).toContain('BROKEN IMAGE');
  });
});

describe('fault broken-image', () => {
  const ctx = () => ({ brokenImages: new Set<string>(), log: () => undefined });
  it('Given an AMI id or a version, When faulted, Then it is marked; off clears every mark', () => {
    const c = ctx();
    expect(brokenImage(c, 'ami-0abc12').ok).toBe(true);
    expect(brokenImage(c, '1.14.8').ok).toBe(true);
    expect([...c.brokenImages]).toEqual(['ami-0abc12', '1.14.8']);
    const off = brokenImage(c, 'off');
    expect(off.ok).toBe(true);
    expect(off.message).toContain('ami-0abc12');
    expect(c.brokenImages.size).toBe(0);
  });
  it('Given something else, When faulted, Then it is a usage error', () => {
    const r = brokenImage(ctx(), 'latest');
    expect(r).toMatchObject({ ok: false, usage: true });
    expect(r.error).toContain("not 'latest'");
  });
});

describe('ASG subnet order', () => {
  const subnets = ['a', 'b', 'c'].map((z) => ({ az: `us-east-1${z}`, subnetId: `s-${z}` }));
  it('Given counts, When ordered, Then the emptiest AZ is first', () => {
    const counts = new Map([
      ['us-east-1a', 1],
      ['us-east-1b', 0],
      ['us-east-1c', 1],
    ]);
    expect(subnetOrder(subnets, counts, new Set()).map((s) => s.subnetId)).toEqual([
      's-b',
      's-a',
      's-c',
    ]);
  });
  it('Given a down AZ that is emptiest, When ordered, Then it gets nothing', () => {
    const counts = new Map([
      ['us-east-1a', 1],
      ['us-east-1b', 0],
      ['us-east-1c', 2],
    ]);
    expect(subnetOrder(subnets, counts, new Set(['us-east-1b'])).map((s) => s.subnetId)).toEqual([
      's-a',
      's-c',
    ]);
  });
});

describe('DNS target', () => {
  it('Given the record values, When mapped, Then the region whose load balancer they name', () => {
    expect(regionOf(l, ['127.7.1.100'])).toBe('primary');
    expect(regionOf(l, ['127.7.2.100.'])).toBe('dr');
    expect(regionOf(l, ['10.0.0.1'])).toBeUndefined();
    expect(regionOf(l, ['127.7.1.100', '127.7.2.100'])).toBeUndefined();
  });
  it('Given state with regions and DNS, When shown, Then both regions and the target are named', () => {
    const s = {
      regions: {
        primary: {
          region: 'us-east-1',
          up: false,
          asg: 'vault-sandbox-primary',
          desired: 0,
          members: 0,
          bucket: 'b1',
          lockTable: 't1',
          loadBalancer: 'https://127.7.1.100:8200',
        },
        dr: {
          region: 'us-west-2',
          up: true,
          asg: 'vault-sandbox-dr',
          desired: 3,
          members: 3,
          bucket: 'b2',
          lockTable: 't2',
          loadBalancer: 'https://127.7.2.100:8200',
        },
      },
      dns: {
        name: l.recordName,
        values: ['127.7.2.100'],
        region: 'dr',
        checkedAt: 'now',
      },
    } as unknown as SandboxState;
    const text = regionLines(s).join('\n');
    expect(text).toMatch(/primary\s+us-east-1\s+DOWN\s+asg vault-sandbox-primary desired 0/);
    expect(text).toMatch(/dr\s+us-west-2\s+up\s+asg vault-sandbox-dr desired 3/);
    expect(text).toContain('→ 127.7.2.100 = the dr load balancer');
  });
});

describe('image names', () => {
  it('Given two builds of one version at once, When named, Then the names differ and carry the version', () => {
    const t = new Date('2025-01-02T03:04:05.678Z');
    const a = buildName('1.14.8', t);
    expect(a).toMatch(/^vault-sandbox-1\.14\.8-20250102T030405Z-[a-z0-9]+$/);
    expect(buildName('1.14.8', t)).not.toBe(a);
  });
});
