import { rmSync } from 'node:fs';
import { ExitCode, VrError } from '../domain/errors.js';
import { withDeadline } from '../domain/deadline.js';
import type { Io } from '../app/io.js';
import { askSupervisor } from './control.js';
import { allEndpoints, layout } from './layout.js';
import { alive, commandLine, listening, stopGroup, waitDead } from './procs.js';
import { readState, type ProcRecord, type SandboxState } from './state.js';

/** A recorded process that is still the very process the sandbox started (pid + start time + binary). */
export function stillOurs(p: ProcRecord): boolean {
  if (!alive(p.pid, p.startTicks)) return false;
  const cmd = commandLine(p.pid);
  // moto_server runs as "python …/moto_server": its path is an argument, not argv[0].
  return cmd === '' || cmd.includes(p.bin);
}

/** Stops every recorded process that is still ours, Vault nodes first (they hold the HA lock). */
export async function stopRecorded(s: SandboxState): Promise<ProcRecord[]> {
  const order: ProcRecord['role'][] = ['supervisor', 'vault', 'minio', 'moto'];
  const stopped: ProcRecord[] = [];
  for (const role of order) {
    const batch = s.processes.filter((p) => p.role === role && stillOurs(p));
    await Promise.all(batch.map((p) => stopGroup(p.pid, 8_000, p.startTicks)));
    stopped.push(...batch);
  }
  return stopped;
}

export interface DownOptions {
  readonly purge: boolean;
}

/** `sandbox down`: stops exactly what the sandbox started and proves no listener is left. */
export async function sandboxDown(io: Io, opts: DownOptions, signal: AbortSignal): Promise<void> {
  const l = layout(io.env);
  const say = (s: string): void => void io.stdout.write(`${s}\n`);
  const s = readState(l.stateFile);
  const sup = s?.processes.find((p) => p.role === 'supervisor');
  let stopped: ProcRecord[] = [];
  if (s && sup && alive(sup.pid, sup.startTicks)) {
    say(`asking the supervisor (pid ${sup.pid}) to stop its processes …`);
    try {
      await withDeadline(signal, 5_000, (s) => askSupervisor(l.socket, { op: 'shutdown' }, s));
      if (await waitDead(sup.pid, 40_000, sup.startTicks)) stopped.push(sup);
    } catch {
      say('the supervisor did not answer; stopping its processes by pid');
    }
  }
  // Whatever is left (a crashed or hung supervisor, a child it lost): by recorded pid.
  const fresh = readState(l.stateFile);
  const all = [...(s?.processes ?? []), ...(fresh?.processes ?? [])];
  const unique = [...new Map(all.map((p) => [`${p.pid}:${p.startTicks ?? ''}`, p])).values()];
  stopped = [
    ...stopped,
    ...(await stopRecorded({ ...(fresh ?? s), processes: unique } as SandboxState)),
  ];
  if (s) {
    const names = unique.map((p) => `${p.name} (${p.pid})`);
    say(`stopped: ${names.length ? names.join(', ') : 'nothing was running'}`);
  } else say('sandbox: not running');

  const left: string[] = [];
  await Promise.all(
    allEndpoints(l).map(async (e) => {
      if (await listening(e.host, e.port, 300)) left.push(`${e.host}:${e.port}`);
    }),
  );
  if (left.length)
    throw new VrError(
      `still listening on sandbox addresses: ${left.join(', ')}`,
      ExitCode.stepFailed,
      ['these are not processes this sandbox recorded; find them with: ss -ltnp'],
    );
  say(`no listener left on the sandbox's ${allEndpoints(l).length} addresses`);
  rmSync(l.stateFile, { force: true });
  rmSync(l.socket, { force: true });
  if (opts.purge) {
    rmSync(l.dir, { recursive: true, force: true });
    say(`purged ${l.dir} (Vault data, MinIO buckets, CA, logs)`);
  } else say(`kept ${l.dir} (Vault's data survives; --purge removes it)`);
}
