import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, UsageError, VrError } from '../domain/errors.js';
import type { Io } from '../app/io.js';
import { guide } from './guide.js';
import { vaultHealth, type Health } from './http.js';
import { allEndpoints, layout, type Layout } from './layout.js';
import { alive, listening, sleep, spawnDetached } from './procs.js';
import { writeProfile } from './profile.js';
import { readState, type SandboxState } from './state.js';
import type { SupervisorSpec } from './supervisor-main.js';
import { ensureTools, packageRoot } from './tools.js';
import { stopRecorded } from './down.js';

export interface UpOptions {
  readonly vaultVersion?: string;
  readonly timeoutSeconds: number;
}

export function supervisorAlive(s: SandboxState | undefined): boolean {
  const sup = s?.processes.find((p) => p.role === 'supervisor');
  return sup !== undefined && alive(sup.pid, sup.startTicks);
}

function supervisorMain(): string {
  const here = fileURLToPath(new URL('./supervisor-main.js', import.meta.url));
  return existsSync(here) ? here : join(packageRoot(), 'dist', 'sandbox', 'supervisor-main.js');
}

function logTail(file: string, n = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function startSupervisor(
  l: Layout,
  io: Io,
  opts: UpOptions,
  say: (s: string) => void,
  signal: AbortSignal,
): Promise<number> {
  const leftover = readState(l.stateFile);
  if (leftover) await stopRecorded(leftover); // a supervisor that died left its children
  rmSync(l.stateFile, { force: true });
  const busy = [];
  for (const e of allEndpoints(l)) if (await listening(e.host, e.port, 200)) busy.push(e);
  if (busy.length)
    throw new VrError(
      `the sandbox addresses are taken: ${busy.map((e) => `${e.host}:${e.port}`).join(', ')}`,
      ExitCode.precondition,
      [
        'another sandbox (other XDG_STATE_HOME) may be running: stop it with its own `sandbox down`',
        'or use other addresses: VAULT_RUNBOOK_SANDBOX_SLOT=<1..254> vault-runbook sandbox up',
      ],
    );
  const tools = await ensureTools(io.env, (line) => say(`  ${line}`), signal);
  const versions = [...tools.vault.keys()];
  // The oldest built version by default, so the rolling-upgrade drill has somewhere to go.
  const version = opts.vaultVersion ?? versions[0] ?? '';
  if (!tools.vault.has(version))
    throw new UsageError(`Vault ${version} is not built (built: ${versions.join(', ')})`);
  mkdirSync(l.logsDir, { recursive: true, mode: 0o700 });
  const specFile = join(l.dir, 'supervisor.json');
  const spec: SupervisorSpec = {
    tools: { moto: tools.moto, minio: tools.minio, vault: [...tools.vault.entries()] },
    defaultVersion: version,
  };
  writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const log = join(l.logsDir, 'supervisor.log');
  const child = spawnDetached(process.execPath, [supervisorMain(), specFile], {
    log,
    env: { ...(io.env as Record<string, string>), VAULT_RUNBOOK_SANDBOX_SLOT: String(l.slot) },
    unref: true,
  });
  // The supervisor outlives this command: `up` only watches its state file.
  say(`supervisor: pid ${child.pid} (log: ${log})`);
  return child.pid;
}

async function waitReady(
  l: Layout,
  supervisorPid: number,
  startedAt: number,
  timeoutMs: number,
  say: (s: string) => void,
  signal: AbortSignal,
): Promise<{ state: SandboxState; health: Map<string, Health> }> {
  let seen = 0;
  const want = l.regions.primary.desired;
  let ca: Buffer | undefined;
  const deadline = startedAt + timeoutMs;
  for (;;) {
    if (signal.aborted) throw new VrError('aborted', ExitCode.aborted);
    const log = join(l.logsDir, 'supervisor.log');
    const read = readState(l.stateFile);
    const s = read?.processes[0]?.pid === supervisorPid ? read : undefined;
    if (!s && !alive(supervisorPid))
      throw new VrError(
        `the sandbox supervisor exited at once\n${logTail(log)}`,
        ExitCode.stepFailed,
        [`logs: ${l.logsDir}`],
      );
    if (s) {
      for (const e of s.events) if (e.seq > seen) say(e.message);
      seen = Math.max(seen, ...s.events.map((e) => e.seq));
      if (s.phase === 'failed' || (!supervisorAlive(s) && s.phase !== 'starting'))
        throw new VrError(
          `the sandbox did not start: ${s.error ?? 'the supervisor exited'}\n${logTail(log)}`,
          ExitCode.stepFailed,
          [`logs: ${l.logsDir}`, 'vault-runbook sandbox down'],
        );
      if (s.phase === 'ready') {
        ca ??= existsSync(s.caFile) ? readFileSync(s.caFile) : undefined;
        const nodes = s.processes.filter((p) => p.role === 'vault' && p.region === 'primary');
        const health = new Map<string, Health>();
        if (ca)
          await Promise.all(
            nodes.map(async (n) => {
              const h = n.address ? await vaultHealth(n.address, ca as Buffer, signal) : undefined;
              if (h) health.set(n.name, h);
            }),
          );
        if (health.size >= want) return { state: s, health };
      }
    }
    if (Date.now() > deadline)
      throw new VrError(
        `the sandbox did not have ${want} nodes answering within ${Math.round(timeoutMs / 1000)} s`,
        ExitCode.stepFailed,
        [`logs: ${l.logsDir}`, 'vault-runbook sandbox status'],
      );
    await sleep(200, signal);
  }
}

/** `sandbox up`: idempotent; returns once the primary's nodes answer sys/health. */
export async function sandboxUp(io: Io, opts: UpOptions, signal: AbortSignal): Promise<void> {
  const l = layout(io.env);
  const t0 = Date.now();
  const say = (s: string): void => void io.stdout.write(`${s}\n`);
  const before = readState(l.stateFile);
  const running = before !== undefined && supervisorAlive(before);
  let pid = before?.processes[0]?.pid ?? 0;
  if (running) {
    say(`sandbox: already running (supervisor pid ${pid})`);
    if (opts.vaultVersion && opts.vaultVersion !== before.defaultVersion)
      say(`  note: it runs Vault ${before.defaultVersion}; --vault-version applies to a new up`);
  } else pid = await startSupervisor(l, io, opts, say, signal);
  // The deadline starts when the sandbox does: provisioning the tools on a cold cache (a Vault
  // build takes minutes) is not the nodes being slow to answer.
  const startedAt = Date.now();
  const { state, health } = await waitReady(
    l,
    pid,
    startedAt,
    opts.timeoutSeconds * 1000,
    running ? () => undefined : say,
    signal,
  );
  const seconds = (Date.now() - t0) / 1000;
  writeProfile(l, state);
  io.stdout.write(guide(l, state, health, seconds));
}
