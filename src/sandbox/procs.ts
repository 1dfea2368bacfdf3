import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** /proc/<pid>/stat fields after the command name: state is [0], starttime is [19]. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time in clock ticks since boot: with the pid, it names one process, never a reused pid. */
export function startTicks(pid: number): number | undefined {
  const f = statFields(pid);
  const t = f?.[19];
  return t === undefined ? undefined : Number(t);
}

/**
 * Running (a zombie is not: when the supervisor is gone, its children are reparented to a pid 1
 * that may never reap them, and kill(pid, 0) still succeeds on a zombie).
 */
export function alive(pid: number, ticks?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const f = statFields(pid);
  if (!f) return false;
  if (f[0] === 'Z' || f[0] === 'X') return false;
  return ticks === undefined || Number(f[19]) === ticks;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Signals a whole process group (each sandbox child leads its own); a gone group is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function waitDead(pid: number, ms: number, ticks?: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid, ticks)) {
    if (Date.now() > until) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM the group, then SIGKILL after `graceMs`. Resolves when the leader is gone. */
export async function stopGroup(pid: number, graceMs: number, ticks?: number): Promise<void> {
  if (!alive(pid, ticks)) return;
  signalGroup(pid, 'SIGTERM');
  if (await waitDead(pid, graceMs, ticks)) return;
  signalGroup(pid, 'SIGKILL');
  await waitDead(pid, 5_000, ticks);
}

/** Whether something accepts TCP connections there. */
export async function listening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (v: boolean): void => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
