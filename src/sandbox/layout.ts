import { join } from 'node:path';
import { UsageError } from '../domain/errors.js';
import { configDir, stateDir } from '../adapters/paths.js';

/** The two regions of the sandbox, shaped like production (DESIGN §6). */
export type RegionKey = 'primary' | 'dr';
export const REGION_KEYS: readonly RegionKey[] = ['primary', 'dr'];

/**
 * Fixed dummy credentials: moto accepts anything, MinIO is started with exactly these. They
 * exist only in the sandbox's own profile, env file and child processes.
 */
export const SANDBOX_CREDENTIALS = {
  accessKeyId: 'vaultsandbox',
  secretAccessKey: 'vaultsandbox-not-a-secret',
} as const;

export interface RegionLayout {
  readonly key: RegionKey;
  readonly region: string;
  readonly azs: readonly string[];
  /** Third octet of this region's node and proxy addresses: 127.<slot>.<octet>.<n>. */
  readonly octet: number;
  readonly asg: string;
  readonly launchTemplate: string;
  readonly bucket: string;
  readonly table: string;
  readonly minioPort: number;
  readonly proxyHost: string;
  readonly desired: number;
}

export interface Layout {
  /** Second octet of every sandbox address, so a test sandbox never collides with the user's. */
  readonly slot: number;
  readonly host: string;
  readonly motoPort: number;
  /** One S3 endpoint for both regions: routes each path-style request to its bucket's MinIO. */
  readonly s3Port: number;
  /** The profile's AWS endpoint: passes to moto, or drops a region whose APIs are down. */
  readonly awsPort: number;
  readonly vaultPort: number;
  readonly clusterPort: number;
  readonly proxyPort: number;
  readonly maxNodesPerRegion: number;
  /** Isolated recovery nodes (S3 quarantine) on 127.<slot>.<recoveryOctet>.<n>. */
  readonly recoveryOctet: number;
  readonly maxRecoveryNodes: number;
  readonly regions: Readonly<Record<RegionKey, RegionLayout>>;
  readonly zoneName: string;
  readonly recordName: string;
  readonly dir: string;
  readonly stateFile: string;
  readonly socket: string;
  readonly logsDir: string;
  readonly tlsDir: string;
  readonly profileFile: string;
  readonly envFile: string;
  readonly pointerFile: string;
}

const PROXY_OCTET = 100;

function slotFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.VAULT_RUNBOOK_SANDBOX_SLOT;
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 254)
    throw new UsageError(`VAULT_RUNBOOK_SANDBOX_SLOT must be 0..254, got '${raw}'`);
  return n;
}

export function sandboxDir(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'sandbox');
}

export function layout(env: NodeJS.ProcessEnv = process.env): Layout {
  const slot = slotFrom(env);
  const dir = sandboxDir(env);
  const host = `127.${slot}.0.1`;
  const region = (
    key: RegionKey,
    name: string,
    octet: number,
    minioPort: number,
    desired: number,
  ): RegionLayout => ({
    key,
    region: name,
    azs: ['a', 'b', 'c'].map((z) => `${name}${z}`),
    octet,
    asg: `vault-sandbox-${key}`,
    launchTemplate: `vault-sandbox-${key}`,
    bucket: `vault-sandbox-data-${key}`,
    table: `vault-sandbox-ha-${key}`,
    minioPort,
    proxyHost: `127.${slot}.${octet}.${PROXY_OCTET}`,
    desired,
  });
  const cfg = configDir(env);
  // A unix socket path is limited to ~107 bytes; a deep XDG_STATE_HOME falls back to /tmp.
  const sock = join(dir, 'control.sock');
  return {
    slot,
    host,
    motoPort: 18500,
    s3Port: 18503,
    awsPort: 18504,
    vaultPort: 8200,
    clusterPort: 8201,
    proxyPort: 8200,
    maxNodesPerRegion: 20,
    recoveryOctet: 3,
    maxRecoveryNodes: 4,
    regions: {
      primary: region('primary', 'us-east-1', 1, 18501, 3),
      dr: region('dr', 'us-west-2', 2, 18502, 0),
    },
    zoneName: 'vault-sandbox.internal',
    recordName: 'vault.vault-sandbox.internal',
    dir,
    stateFile: join(dir, 'state.json'),
    socket:
      sock.length < 100
        ? sock
        : join('/tmp', `vault-runbook-sandbox-${process.getuid?.() ?? 0}-${slot}.sock`),
    logsDir: join(dir, 'logs'),
    tlsDir: join(dir, 'tls'),
    profileFile: join(cfg, 'profiles', 'sandbox.yaml'),
    envFile: join(cfg, 'profiles', 'sandbox.env'),
    pointerFile: join(cfg, 'current-profile'),
  };
}

export function nodeHost(l: Layout, r: RegionKey, n: number): string {
  return `127.${l.slot}.${l.regions[r].octet}.${n}`;
}

/** Node names: node-1… in the primary region, dr-node-1… in DR (the slot is the last octet). */
export function nodeName(r: RegionKey, n: number): string {
  return r === 'primary' ? `node-${n}` : `dr-node-${n}`;
}

/** A recovery node's host: outside both regions' ranges, never behind a load balancer. */
export function recoveryHost(l: Layout, n: number): string {
  return `127.${l.slot}.${l.recoveryOctet}.${n}`;
}

export function motoUrl(l: Layout): string {
  return `http://${l.host}:${l.motoPort}`;
}

export function s3RouterUrl(l: Layout): string {
  return `http://${l.host}:${l.s3Port}`;
}

export function awsRouterUrl(l: Layout): string {
  return `http://${l.host}:${l.awsPort}`;
}

export function minioUrl(l: Layout, r: RegionKey): string {
  return `http://${l.host}:${l.regions[r].minioPort}`;
}

export function proxyUrl(l: Layout, r: RegionKey): string {
  return `https://${l.regions[r].proxyHost}:${l.proxyPort}`;
}

/** Every TCP endpoint the sandbox may listen on, to prove after `down` that none is left. */
export function allEndpoints(l: Layout): { host: string; port: number }[] {
  const out = [
    { host: l.host, port: l.motoPort },
    { host: l.host, port: l.s3Port },
    { host: l.host, port: l.awsPort },
    ...REGION_KEYS.flatMap((r) => [
      { host: l.host, port: l.regions[r].minioPort },
      { host: l.host, port: l.regions[r].minioPort + 10 },
      { host: l.regions[r].proxyHost, port: l.proxyPort },
    ]),
  ];
  for (const r of REGION_KEYS)
    for (let n = 1; n <= l.maxNodesPerRegion; n++) {
      out.push({ host: nodeHost(l, r, n), port: l.vaultPort });
      out.push({ host: nodeHost(l, r, n), port: l.clusterPort });
    }
  for (let n = 1; n <= l.maxRecoveryNodes; n++) {
    out.push({ host: recoveryHost(l, n), port: l.vaultPort });
    out.push({ host: recoveryHost(l, n), port: l.clusterPort });
  }
  return out;
}
