import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, VrError } from '../domain/errors.js';
import {
  minioUrl,
  motoUrl,
  REGION_KEYS,
  SANDBOX_CREDENTIALS,
  type Layout,
  type RegionKey,
} from './layout.js';
import { alive, sleep, spawnDetached, startTicks, type DetachedProcess } from './procs.js';
import type { ProcRecord } from './state.js';
import type { Tools } from './tools.js';

/** moto or one MinIO server, started in its own process group. */
export interface InfraProc {
  readonly record: ProcRecord;
  readonly child: DetachedProcess;
}

function spawn(
  l: Layout,
  name: string,
  bin: string,
  args: string[],
  env: Record<string, string>,
): DetachedProcess {
  return spawnDetached(bin, args, {
    log: join(l.logsDir, `${name}.log`),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
}

function record(
  role: ProcRecord['role'],
  name: string,
  bin: string,
  child: DetachedProcess,
  address: string,
  region?: RegionKey,
): ProcRecord {
  const pid = child.pid;
  const ticks = startTicks(pid);
  return {
    role,
    name,
    pid,
    ...(ticks !== undefined ? { startTicks: ticks } : {}),
    bin,
    address,
    ...(region ? { region } : {}),
    startedAt: new Date().toISOString(),
  };
}

export function startMoto(l: Layout, tools: Tools): InfraProc {
  const dir = join(l.dir, 'moto');
  mkdirSync(dir, { recursive: true });
  const child = spawn(l, 'moto', tools.moto, ['-H', l.host, '-p', String(l.motoPort)], {
    HOME: dir,
  });
  return { child, record: record('moto', 'moto', tools.moto, child, motoUrl(l)) };
}

/** One MinIO per region: the data bucket of each region lives on its own server. */
export function startMinio(l: Layout, tools: Tools, key: RegionKey): InfraProc {
  const data = join(l.dir, 'minio', key);
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const port = l.regions[key].minioPort;
  const child = spawn(
    l,
    `minio-${key}`,
    tools.minio,
    [
      'server',
      '--quiet',
      '--address',
      `${l.host}:${port}`,
      '--console-address',
      `${l.host}:${port + 10}`,
      data,
    ],
    {
      HOME: data,
      MINIO_ROOT_USER: SANDBOX_CREDENTIALS.accessKeyId,
      MINIO_ROOT_PASSWORD: SANDBOX_CREDENTIALS.secretAccessKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_REGION: l.regions[key].region,
    },
  );
  return {
    child,
    record: record('minio', `minio-${key}`, tools.minio, child, minioUrl(l, key), key),
  };
}

/** Polls an HTTP URL on loopback until it answers 2xx, the process dies or time runs out. */
export async function waitHttp(
  url: string,
  p: InfraProc,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!signal.aborted) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (!alive(p.record.pid))
      throw new VrError(
        `${p.record.name} exited while starting (log: ${p.record.name}.log)`,
        ExitCode.stepFailed,
      );
    if (Date.now() > until)
      throw new VrError(`${p.record.name} did not answer ${url} in time`, ExitCode.stepFailed);
    await sleep(100, signal);
  }
}

/** Starts moto and both MinIO servers (registered in `into` at once, so a failure stops them). */
export async function startInfra(
  l: Layout,
  tools: Tools,
  into: Map<string, InfraProc>,
  log: (m: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const moto = startMoto(l, tools);
  into.set('moto', moto);
  const minio = REGION_KEYS.map((k) => {
    const p = startMinio(l, tools, k);
    into.set(p.record.name, p);
    return [k, p] as const;
  });
  await Promise.all([
    waitHttp(`${motoUrl(l)}/moto-api/data.json`, moto, 60_000, signal).then(() =>
      log(`moto: EC2, Auto Scaling, Route 53, ELBv2, DynamoDB on ${motoUrl(l)}`),
    ),
    ...minio.map(([k, p]) =>
      waitHttp(`${minioUrl(l, k)}/minio/health/live`, p, 60_000, signal).then(() =>
        log(`minio-${k}: S3 for ${l.regions[k].region} on ${minioUrl(l, k)}`),
      ),
    ),
  ]);
}
