import { fstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isatty } from 'node:tty';
import { UsageError } from '../domain/errors.js';

// Linux open(2) flags as /proc/self/fdinfo shows them (octal).
const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;

function fdinfoFlags(fd: number): number | undefined {
  try {
    const m = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m?.[1] ? parseInt(m[1], 8) : undefined;
  } catch {
    return undefined; // no procfs (macOS): fstat's checks stand alone
  }
}

/**
 * Whether the write end of the pipe on `fd` is open in this very process: then it is one of
 * Node's or libuv's own (signal and wake-up pipes); a pipe from the caller has its write end
 * in the caller.
 */
function selfPipe(fd: number): boolean {
  try {
    const link = readlinkSync(`/proc/self/fd/${fd}`);
    if (!link.startsWith('pipe:')) return false;
    return readdirSync('/proc/self/fd').some((other) => {
      if (other === String(fd)) return false;
      try {
        if (readlinkSync(`/proc/self/fd/${other}`) !== link) return false;
        const flags = fdinfoFlags(Number(other));
        return flags !== undefined && (flags & O_ACCMODE) !== 0;
      } catch {
        return false;
      }
    });
  } catch {
    return false; // no procfs (macOS): fstat's checks stand alone
  }
}

function hint(env: NodeJS.ProcessEnv): string[] {
  return env.npm_command === 'exec'
    ? [
        'npx passes only fds 0-2 to the program: run `vault-runbook` after `npm link`, or `node bin/vault-runbook.js` in the checkout, to give it another fd',
      ]
    : [
        'open it for reading when starting vault-runbook, e.g. `vault-runbook … --secrets-fd 3 3<shares.txt`',
      ];
}

/**
 * Checks `--secrets-fd N` before anything else happens (no journal, no run): the fd must be
 * open, readable, a pipe, file or socket this process was given — not a terminal, where typed
 * shares would echo, and not one of Node's own descriptors (under npx, fd 3 is Node's epoll or
 * signal pipe, never the caller's).
 */
export function checkSecretsFd(fd: number, env: NodeJS.ProcessEnv): void {
  const what = `--secrets-fd ${fd}`;
  if (isatty(fd))
    throw new UsageError(
      `${what} is a terminal: shares typed there would be echoed on the screen`,
      ['run without --headless to enter them masked in the TUI, or give a pipe or a file'],
    );
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    throw new UsageError(`${what}: file descriptor ${fd} is not open`, hint(env));
  }
  if (st.isDirectory()) throw new UsageError(`${what}: fd ${fd} is a directory`, hint(env));
  if (!st.isFIFO() && !st.isFile() && !st.isSocket())
    throw new UsageError(`${what}: fd ${fd} is not a pipe, file or socket`, hint(env));
  const flags = fdinfoFlags(fd);
  if (flags !== undefined && (flags & O_ACCMODE) === O_WRONLY)
    throw new UsageError(`${what}: fd ${fd} is open for writing only, not reading`, hint(env));
  if (st.isFIFO() && selfPipe(fd))
    throw new UsageError(
      `${what}: fd ${fd} was not given to vault-runbook (it is a pipe Node opened for itself)`,
      hint(env),
    );
}
