import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { httpsRequest, vaultHealth, type Health } from '../../src/sandbox/http.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { cli, tempState } from '../support/cli.js';
import type { ClusterStatus } from '../../src/domain/cluster.js';

/** A sandbox of its own: temp XDG state/config, and its own 127.<slot>.x.y addresses. */
export function sandboxEnv(slot: number): { dir: string; env: NodeJS.ProcessEnv } {
  const t = tempState();
  return { ...t, env: { ...t.env, VAULT_RUNBOOK_SANDBOX_SLOT: testSlot(slot) } };
}

/**
 * A test file's sandbox slot. Two checkouts testing at once on one machine shift their slots
 * apart with VAULT_RUNBOOK_TEST_SLOT_OFFSET.
 */
export function testSlot(slot: number): string {
  const offset = Number(process.env.VAULT_RUNBOOK_TEST_SLOT_OFFSET ?? 0) || 0;
  return String(((slot + offset - 1) % 254) + 1);
}

export const sandbox = (args: string[], env: NodeJS.ProcessEnv) => cli(['sandbox', ...args], env);

export interface StatusJson {
  running: boolean;
  phase: string;
  caFile: string;
  profile: string;
  defaultVersion: string;
  processes: {
    role: string;
    name: string;
    pid: number;
    running: boolean;
    address?: string;
    instanceId?: string;
    version?: string;
    az?: string;
    region?: string;
    health?: Health | null;
  }[];
  proxies: { region: string; address: string; listening: boolean; active?: string }[];
  replication?: { lagSetting: number; pendingVersions: number; copiedVersions: number };
}

export async function statusJson(env: NodeJS.ProcessEnv): Promise<StatusJson> {
  const r = await sandbox(['status', '--json'], env);
  if (r.exitCode !== 0) throw new Error(`status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** `vault-runbook status --json` (the operator's command), on the profile `sandbox up` selected. */
export async function clusterStatus(env: NodeJS.ProcessEnv): Promise<ClusterStatus> {
  const r = await cli(['status', '--json'], env);
  // Exit 4 (precondition) says no node answers; the JSON is still the answer.
  if (r.exitCode !== 0 && r.exitCode !== 4)
    throw new Error(`status --json failed (${r.exitCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ClusterStatus;
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function ca(caFile: string): Buffer {
  return readFileSync(caFile);
}

export async function health(address: string, caFile: string): Promise<Health | undefined> {
  return vaultHealth(address, ca(caFile), AbortSignal.timeout(3_000));
}

export async function vaultPut(
  address: string,
  path: string,
  body: unknown,
  caFile: string,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const r = await httpsRequest(`${address}/v1/${path}`, {
    ca: ca(caFile),
    method: 'PUT',
    body: JSON.stringify(body),
    headers: token ? { 'x-vault-token': token } : {},
    timeoutMs: 15_000,
  });
  return { status: r.status, json: r.body ? (JSON.parse(r.body) as unknown) : undefined };
}

/** GET trusting only the sandbox CA, the token (if any) in its header. */
export async function httpGet(
  url: string,
  caFile: string,
  token?: string,
): Promise<{ status: number; body: string }> {
  return httpsRequest(url, {
    ca: ca(caFile),
    headers: token ? { 'x-vault-token': token } : {},
    timeoutMs: 10_000,
  });
}

const credentials = { ...SANDBOX_CREDENTIALS };

export function ec2(endpoint: string, region: string): EC2Client {
  return new EC2Client({ region, endpoint, credentials });
}

export function s3(endpoint: string, region: string): S3Client {
  return new S3Client({ region, endpoint, credentials, forcePathStyle: true, maxAttempts: 1 });
}

export async function versionsOf(client: S3Client, bucket: string, key: string) {
  const r = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (r.Versions ?? []).filter((v) => v.Key === key);
}

export async function instanceState(client: EC2Client, id: string): Promise<string | undefined> {
  const r = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

export function profileFile(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME ?? '', 'vault-runbook', 'profiles', 'sandbox.yaml');
}
