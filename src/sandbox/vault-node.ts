import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnDetached, type DetachedProcess } from './procs.js';
import type { TlsFiles } from './certs.js';
import type { ProcRecord } from './state.js';
import {
  minioUrl,
  motoUrl,
  nodeHost,
  nodeName,
  SANDBOX_CREDENTIALS,
  type Layout,
  type RegionKey,
} from './layout.js';

/** One EC2 instance of a sandbox ASG and the Vault it stands for. */
export interface NodeSpec {
  readonly region: RegionKey;
  /** Last octet of the node's address; names it node-<slot>. */
  readonly slot: number;
  readonly instanceId: string;
  readonly az: string;
  readonly amiId: string;
  readonly version: string;
  readonly bin: string;
  /** Launched from an image the fault `broken-image` marked: it never starts. */
  readonly broken?: boolean;
}

export function nodeAddress(l: Layout, spec: Pick<NodeSpec, 'region' | 'slot'>): string {
  return `https://${nodeHost(l, spec.region, spec.slot)}:${l.vaultPort}`;
}

const hcl = (s: string): string => JSON.stringify(s);

/** What differs between the servers the sandbox runs: ASG nodes and isolated recovery nodes. */
export interface ServerConfig {
  readonly comment: string;
  readonly host: string;
  /** The region whose MinIO holds the bucket (and whose moto region holds the lock table). */
  readonly region: RegionKey;
  readonly bucket: string;
  /** The DynamoDB HA lock table; none: a single node without HA (the S3 backend has none). */
  readonly haTable?: string;
  readonly clusterName: string;
  readonly tlsCertFile: string;
}

/**
 * What the launch template's user data would render on a real instance (packer/ and
 * terraform/ do the same with the real services): S3 storage, the DynamoDB HA lock, TLS.
 */
export function renderConfig(l: Layout, c: ServerConfig, tls: TlsFiles): string {
  const r = l.regions[c.region];
  const { accessKeyId, secretAccessKey } = SANDBOX_CREDENTIALS;
  const ha = c.haTable
    ? `
ha_storage "dynamodb" {
  ha_enabled = "true"
  region     = ${hcl(r.region)}
  endpoint   = ${hcl(motoUrl(l))}
  table      = ${hcl(c.haTable)}
  access_key = ${hcl(accessKeyId)}
  secret_key = ${hcl(secretAccessKey)}
}
`
    : '';
  return `# vault-runbook sandbox: ${c.comment}
storage "s3" {
  bucket              = ${hcl(c.bucket)}
  region              = ${hcl(r.region)}
  endpoint            = ${hcl(minioUrl(l, c.region))}
  s3_force_path_style = "true"
  disable_ssl         = "true"
  access_key          = ${hcl(accessKeyId)}
  secret_key          = ${hcl(secretAccessKey)}
}
${ha}
listener "tcp" {
  address         = "${c.host}:${l.vaultPort}"
  cluster_address = "${c.host}:${l.clusterPort}"
  tls_cert_file   = ${hcl(c.tlsCertFile)}
  tls_key_file    = ${hcl(tls.key)}
  tls_min_version = "tls12"
}

api_addr      = "https://${c.host}:${l.vaultPort}"
cluster_addr  = "https://${c.host}:${l.clusterPort}"
cluster_name  = ${hcl(c.clusterName)}
disable_mlock = true
ui            = false
`;
}

/**
 * A file a broken image lacks: Vault cannot load its listener certificate and exits at once,
 * every time it is restarted — an instance that never becomes healthy.
 */
export const BROKEN_CERT_SUFFIX = '.missing-in-broken-image';

export function vaultConfig(l: Layout, spec: NodeSpec, tls: TlsFiles): string {
  const r = l.regions[spec.region];
  return renderConfig(
    l,
    {
      comment: `${nodeName(spec.region, spec.slot)} = ${spec.instanceId} (${spec.az}, ${spec.amiId}, Vault ${spec.version}${spec.broken ? ', BROKEN IMAGE' : ''})`,
      host: nodeHost(l, spec.region, spec.slot),
      region: spec.region,
      bucket: r.bucket,
      haTable: r.table,
      clusterName: `vault-sandbox-${spec.region}`,
      tlsCertFile: spec.broken ? `${tls.cert}${BROKEN_CERT_SUFFIX}` : tls.cert,
    },
    tls,
  );
}

export interface StartedNode {
  readonly pid: number;
  readonly child: DetachedProcess;
  readonly log: string;
}

/** Starts one Vault server in its own process group, so it can be stopped with all it spawned. */
export function startServer(
  l: Layout,
  s: {
    readonly dir: string;
    readonly logName: string;
    readonly bin: string;
    readonly config: string;
  },
): StartedNode {
  mkdirSync(s.dir, { recursive: true, mode: 0o700 });
  const config = join(s.dir, 'vault.hcl');
  writeFileSync(config, s.config, { mode: 0o600 });
  const log = join(l.logsDir, `${s.logName}.log`);
  const child = spawnDetached(s.bin, ['server', `-config=${config}`], {
    log,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: s.dir,
      // No instance metadata service here: without this the AWS SDK inside Vault probes it.
      AWS_EC2_METADATA_DISABLED: 'true',
      // Vault 1.14's gosnowflake embeds a CA with a negative serial, which Go ≥ 1.23 rejects
      // at startup unless told otherwise (the binary is built with the machine's newer Go).
      GODEBUG: 'x509negativeserial=1',
    },
  });
  return { pid: child.pid, child, log };
}

export function startVault(l: Layout, spec: NodeSpec, tls: TlsFiles): StartedNode {
  return startServer(l, {
    dir: join(l.dir, 'nodes', spec.instanceId),
    logName: `${nodeName(spec.region, spec.slot)}-${spec.instanceId}`,
    bin: spec.bin,
    config: vaultConfig(l, spec, tls),
  });
}

export function nodeRecord(
  l: Layout,
  spec: NodeSpec,
  pid: number,
  ticks: number | undefined,
  startedAt: string,
): ProcRecord {
  return {
    role: 'vault',
    name: nodeName(spec.region, spec.slot),
    pid,
    ...(ticks !== undefined ? { startTicks: ticks } : {}),
    bin: spec.bin,
    address: nodeAddress(l, spec),
    region: spec.region,
    instanceId: spec.instanceId,
    az: spec.az,
    amiId: spec.amiId,
    version: spec.version,
    startedAt,
  };
}

/** A node named by the operator: node-2, its instance id, its URL, host:port or address. */
export function matches(l: Layout, spec: NodeSpec, target: string): boolean {
  const addr = nodeAddress(l, spec);
  const host = new URL(addr).host;
  return [
    nodeName(spec.region, spec.slot),
    spec.instanceId,
    addr,
    host,
    host.split(':')[0],
  ].includes(target);
}
