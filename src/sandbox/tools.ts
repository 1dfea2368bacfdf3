import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ExitCode, VrError } from '../domain/errors.js';
import { cacheDir } from '../adapters/paths.js';

/** Paths of the real servers the sandbox runs, as scripts/ensure-tools.sh recorded them. */
export interface Tools {
  readonly moto: string;
  readonly minio: string;
  /** Vault version → binary, oldest first. */
  readonly vault: ReadonlyMap<string, string>;
}

export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function toolsEnvFile(env: NodeJS.ProcessEnv): string {
  return join(cacheDir(env), 'tools.env');
}

/** KEY=value lines; values may be shell-quoted with '…' or "…". */
export function parseToolsEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The tools if every one is recorded and present on disk; otherwise what is missing. */
export function readTools(env: NodeJS.ProcessEnv): Tools | { missing: string[] } {
  const file = toolsEnvFile(env);
  const kv = existsSync(file) ? parseToolsEnv(readFileSync(file, 'utf8')) : {};
  const missing: string[] = [];
  const present = (key: string): string | undefined => {
    const p = kv[key];
    if (p && existsSync(p)) return p;
    missing.push(key);
    return undefined;
  };
  const moto = present('MOTO_SERVER_BIN');
  const minio = present('MINIO_BIN');
  const vault = new Map<string, string>();
  const versions = (kv.VAULT_VERSIONS ?? '').split(/\s+/).filter(Boolean);
  for (const v of [...versions].sort(compareVersions)) {
    const p = kv[`VAULT_BIN_${v.replace(/\./g, '_')}`];
    if (p && existsSync(p)) vault.set(v, p);
  }
  if (vault.size === 0) missing.push('VAULT_BIN_<version>');
  if (!moto || !minio || missing.length) return { missing };
  return { moto, minio, vault };
}

/**
 * Runs the provisioning script when a tool is missing: seconds when cached, a long Go build on
 * a new machine. Its progress lines go to `progress`.
 */
export async function ensureTools(
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<Tools> {
  const first = readTools(env);
  if (!('missing' in first)) return first;
  const script = join(packageRoot(), 'scripts', 'ensure-tools.sh');
  if (!existsSync(script))
    throw new VrError(
      `sandbox tools missing (${first.missing.join(', ')}) and ${script} is not there`,
      ExitCode.precondition,
    );
  progress(`tools missing (${first.missing.join(', ')}): running scripts/ensure-tools.sh`);
  progress('a first build of Vault takes 10-25 minutes on 2 cores');
  const child = execa('bash', [script], {
    env,
    extendEnv: false,
    reject: false,
    cancelSignal: signal,
    forceKillAfterDelay: 5_000,
    stdout: 'ignore',
    stderr: 'pipe',
  });
  child.stderr.setEncoding('utf8');
  let buf = '';
  child.stderr.on('data', (chunk: string) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) progress(l);
  });
  const r = await child;
  const again = readTools(env);
  if (r.exitCode !== 0 || 'missing' in again)
    throw new VrError(
      `scripts/ensure-tools.sh could not provide the sandbox tools${'missing' in again ? ` (${again.missing.join(', ')})` : ''}`,
      ExitCode.precondition,
      [`bash ${script}   # see its log under ${join(cacheDir(env), 'logs')}`],
    );
  return again;
}
