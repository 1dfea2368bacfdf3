import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { ROOT } from './cli.js';

let cached: Record<string, string> | undefined;

/**
 * The sandbox tools (real Vault, MinIO, moto), provisioned by scripts/ensure-tools.sh: seconds
 * when cached, a long build on a new machine (.ci/run provisions before the tests).
 */
export async function ensureTools(): Promise<Record<string, string>> {
  if (cached) return cached;
  await execa('bash', [`${ROOT}/scripts/ensure-tools.sh`], {
    stdio: 'inherit',
    env: { ...process.env, ENSURE_TOOLS_QUIET: '1' },
  });
  const { stdout } = await execa('bash', [`${ROOT}/scripts/ensure-tools.sh`, '--print-env']);
  const env: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) env[m[1]] = (m[2] ?? '').replace(/^['"]|['"]$/g, '');
  }
  cached = env;
  return env;
}

export function readToolsEnv(file: string): string {
  return readFileSync(file, 'utf8');
}
