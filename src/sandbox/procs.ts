import { closeSync, openSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
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

/** A server started by spawnDetached: its pid, and a promise that settles when it exits. */
export interface DetachedProcess {
  readonly pid: number;
  readonly exited: Promise<number | null>;
}

/**
 * Starts a server in its own process group with stdout/stderr appended to `log` through a file
 * descriptor of its own: the starter relays nothing, so it can exit (or die) without taking
 * the server's output, or the server, with it. node:child_process rather than execa here:
 * execa's types accept only literal fd numbers, and everything execa adds (buffering, result,
 * cleanup on exit) is what a detached server must not have.
 */
export function spawnDetached(
  bin: string,
  args: readonly string[],
  opts: {
    readonly log: string;
    readonly env: Record<string, string>;
    /** The starter may exit while the server runs on (it then never hears of the exit). */
    readonly unref?: boolean;
  },
): DetachedProcess {
  const fd = openSync(opts.log, 'a', 0o600);
  try {
    const child = spawn(bin, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env,
    });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    if (child.pid === undefined) throw new Error(`could not start ${bin}`);
    if (opts.unref) child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/** Serialises async critical sections (the reconcile passes and the faults never interleave). */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.#tail.then(fn, fn);
    this.#tail = r.catch(() => undefined);
    return r;
  }
}
