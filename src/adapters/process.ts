import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import type { ProcessPort, ProcessResult, ProcessRunOptions } from '../engine/ports.js';

const KILL_GRACE_MS = 3000;
const KEEP_OUTPUT = 64 * 1024;
/**
 * The longest line a step's output may have: a command printing gigabytes without a newline
 * would otherwise be held whole in memory. The rest of such a line is dropped, and that is said.
 */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a stream's text into lines as readline does (\n, \r\n or a lone \r), but never holds
 * more than MAX_LINE_CHARS of one line.
 */
export function lineSplitter(emit: (line: string) => void): {
  push(text: string): void;
  end(): void;
} {
  let buf = '';
  let dropped = 0;
  const flush = (whole: string): void => {
    // The end of a long line can arrive with its newline, past what was already kept.
    const line = whole.length > MAX_LINE_CHARS ? whole.slice(0, MAX_LINE_CHARS) : whole;
    dropped += whole.length - line.length;
    emit(dropped ? `${line} … [${dropped} more characters of this line dropped]` : line);
    dropped = 0;
  };
  return {
    push(text: string): void {
      buf += text;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buf);
        // A \r at the very end may be the first half of \r\n: wait for the next chunk.
        if (!m || (m[0] === '\r' && m.index === buf.length - 1)) break;
        flush(buf.slice(0, m.index));
        buf = buf.slice(m.index + m[0].length);
      }
      if (buf.length > MAX_LINE_CHARS) {
        dropped += buf.length - MAX_LINE_CHARS;
        buf = buf.slice(0, MAX_LINE_CHARS);
      }
    },
    end(): void {
      if (buf.endsWith('\r')) buf = buf.slice(0, -1);
      if (buf !== '' || dropped) flush(buf);
      buf = '';
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Process groups of processes whose environment carries this run's id (Linux /proc). */
function groupsOfRun(runId: string): Set<number> {
  const marker = `VAULT_RUNBOOK_RUN_ID=${runId}`;
  const groups = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${e}/environ`, 'utf8').split('\0').includes(marker)) continue;
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid pgrp …
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp > 1 && pgrp !== process.pid) groups.add(pgrp);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return groups;
}

export class ExecaProcess implements ProcessPort {
  async run(command: string, opts: ProcessRunOptions): Promise<ProcessResult> {
    // detached: the command leads its own process group, so an abort reaches its children too.
    const child = execa(opts.shell ?? 'bash', ['-c', command], {
      detached: true,
      reject: false,
      stdin: 'ignore',
      buffer: false,
      // The one place a step's secrets become plaintext: in the child's environment.
      env: {
        // undefined removes an inherited variable (Node skips undefined values).
        ...Object.fromEntries((opts.unset ?? []).map((k) => [k, undefined])),
        ...Object.fromEntries(
          Object.entries(opts.env ?? {}).map(([k, v]) => [
            k,
            typeof v === 'string' ? v : v.reveal(),
          ]),
        ),
      },
      extendEnv: true,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    const pid = child.pid;
    if (pid !== undefined) opts.onSpawn?.(pid);
    let stdout = '';
    let stderr = '';
    const pump = (
      stream: NodeJS.ReadableStream | null,
      name: 'stdout' | 'stderr',
    ): Promise<void> => {
      if (!stream) return Promise.resolve();
      const lines = lineSplitter((line) => {
        if (name === 'stdout') stdout = (stdout + line + '\n').slice(-KEEP_OUTPUT);
        else stderr = (stderr + line + '\n').slice(-KEEP_OUTPUT);
        opts.onLine(name, line);
      });
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => lines.push(text));
      return new Promise((resolve) => {
        const finish = (): void => {
          lines.end();
          resolve();
        };
        stream.once('end', finish);
        stream.once('error', finish);
      });
    };
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const [result] = await Promise.all([
        child,
        pump(child.stdout, 'stdout'),
        pump(child.stderr, 'stderr'),
      ]);
      // The leader exited; anything it left running in its group goes with it on abort.
      if (opts.signal.aborted && pid !== undefined && groupAlive(pid)) killGroup(pid, 'SIGKILL');
      return {
        exitCode: result.exitCode ?? (result.signal ? 128 : 1),
        ...(result.signal ? { signal: result.signal } : {}),
        stdout,
        stderr,
      };
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
    }
  }

  async killStale(_pid: number | undefined, runId: string): Promise<number[]> {
    // Only groups that provably belong to this run: a recycled pid is never signalled.
    const groups = groupsOfRun(runId);
    const stale = [...groups];
    if (stale.length === 0) return [];
    for (const g of stale) killGroup(g, 'SIGTERM');
    for (let waited = 0; waited < KILL_GRACE_MS; waited += 100) {
      if (groupsOfRun(runId).size === 0) return stale;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const g of groupsOfRun(runId)) killGroup(g, 'SIGKILL');
    return stale;
  }
}
