import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'vault-runbook.js');

export function tempState(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'vr-test-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    CI: 'true',
  };
  delete env.VAULT_RUNBOOK_PROFILE;
  return { dir, env };
}

export function cli(args: string[], env: NodeJS.ProcessEnv, opts: { cwd?: string } = {}) {
  return execa('node', [BIN, ...args], { env, extendEnv: false, reject: false, ...opts });
}

/** The CLI with a pipe on fd 3, for --secrets-fd 3. */
export function cliWithFd3(args: string[], env: NodeJS.ProcessEnv, cwd?: string) {
  return execa('node', [BIN, ...args], {
    env,
    extendEnv: false,
    reject: false,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
}

/**
 * Writes `lines` to a cliWithFd3 child's fd 3, one a line, and closes it: what a headless run
 * reads with --secrets-fd 3. The run may end before it reads them all (a refusal), so a
 * write error on the pipe is not the test's failure.
 */
export function feedSecrets(child: ReturnType<typeof cliWithFd3>, lines: readonly string[]): void {
  const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
  fd3.on('error', () => undefined);
  fd3.end(lines.map((s) => `${s}\n`).join(''));
}

/** Every file below a directory, with its text, to grep for leaks. */
export function allFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push({ path: p, text: readFileSync(p, 'latin1') }); // not sockets
    }
  };
  walk(dir);
  return out;
}

export function runIdFrom(stdout: string): string {
  const m = /run ([a-z0-9_-]+-\d{8}T\d{6}-[0-9a-f]{6})/.exec(stdout);
  if (!m?.[1]) throw new Error(`no run id in output:\n${stdout}`);
  return m[1];
}
