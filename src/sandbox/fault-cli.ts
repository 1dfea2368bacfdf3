import { readFileSync } from 'node:fs';
import { ExitCode, errorMessage, UsageError, VrError } from '../domain/errors.js';
import type { Io } from '../app/io.js';
import { askSupervisor } from './control.js';
import { FAULT_KINDS, FAULT_TARGET, isFaultKind, isRegionDownVariant } from './faults.js';
import { httpsRequest } from './http.js';
import { layout } from './layout.js';
import { readState } from './state.js';
import { supervisorAlive } from './up.js';

export interface FaultOptions {
  readonly tokenFd?: number;
}

/** The operator's token: from --token-fd (first line) or VAULT_TOKEN; never from argv. */
function token(io: Io, opts: FaultOptions): string | undefined {
  if (opts.tokenFd !== undefined) {
    try {
      return readFileSync(opts.tokenFd, 'utf8').split('\n')[0]?.trim() || undefined;
    } catch (err) {
      throw new UsageError(`cannot read a token from fd ${opts.tokenFd}: ${errorMessage(err)}`);
    }
  }
  return io.env.VAULT_TOKEN || undefined;
}

/** A supervisor's refusal as the CLI's error: a target it does not know is a usage error. */
function refusal(
  r: { readonly usage?: boolean; readonly error?: string },
  usage: string,
  failed: string,
): VrError {
  return r.usage
    ? new UsageError(r.error ?? usage)
    : new VrError(r.error ?? failed, ExitCode.stepFailed);
}

/**
 * seal: with a token the CLI calls PUT sys/seal itself, so the token never leaves this
 * process; without one the node is restarted, and comes back sealed.
 */
async function seal(
  io: Io,
  target: string,
  opts: FaultOptions,
  socket: string,
  ca: Buffer,
  signal: AbortSignal,
): Promise<string> {
  const t = token(io, opts);
  if (!t) {
    // No token (after the ceremony the root token is gone, and operators have no sudo on
    // sys/seal): the sandbox stops and starts the node's Vault, which comes back sealed — what
    // a seal looks like from outside, an active node's lock passing to a standby included.
    const rr = await askSupervisor(socket, { op: 'restart', target }, signal);
    if (!rr.ok) throw refusal(rr, 'unknown node', 'the restart failed');
    return `${target}: restarted (no VAULT_TOKEN or --token-fd to call sys/seal with), it is sealed now`;
  }
  const r = await askSupervisor(socket, { op: 'resolve', target }, signal);
  if (!r.ok) throw refusal(r, 'unknown node', '');
  const node = r.data as { address: string; instanceId: string };
  const res = await httpsRequest(`${node.address}/v1/sys/seal`, {
    ca,
    method: 'PUT',
    headers: { 'x-vault-token': t },
    signal,
    timeoutMs: 10_000,
  });
  if (res.status === 204 || res.status === 200) return `${target} (${node.instanceId}) sealed`;
  const why = (JSON.parse(res.body || '{}') as { errors?: string[] }).errors?.join('; ') ?? '';
  // Vault refuses to seal a standby ("please restart instead"): the token was good, so the
  // sandbox does what an operator would, a clean restart, and the node comes back sealed.
  if (res.status === 500 && /standby/.test(why)) {
    const rr = await askSupervisor(socket, { op: 'restart', target }, signal);
    if (rr.ok)
      return `${target} (${node.instanceId}) was a standby, which Vault cannot seal: restarted it, it is sealed now`;
  }
  throw new VrError(
    `${target}: sys/seal answered ${res.status}${why ? `: ${why}` : ''}`,
    ExitCode.stepFailed,
    res.status === 403 ? ['the token needs sudo on sys/seal (the root token has it)'] : [],
  );
}

export async function sandboxFault(
  io: Io,
  kind: string,
  target: string | undefined,
  opts: FaultOptions,
  signal: AbortSignal,
): Promise<void> {
  if (!isFaultKind(kind))
    throw new UsageError(`unknown fault '${kind}'`, [`one of: ${FAULT_KINDS.join(', ')}`]);
  const need = FAULT_TARGET[kind];
  if (need && !target)
    throw new UsageError(`fault ${kind} needs <${need}>`, [
      `vault-runbook sandbox fault ${kind} <${need}>`,
    ]);
  if (!need && target && !(kind === 'region-down' && isRegionDownVariant(target)))
    throw new UsageError(
      kind === 'region-down'
        ? `fault region-down takes no argument, s3-up or apis-down, not '${target}'`
        : `fault ${kind} takes no argument`,
    );
  const l = layout(io.env);
  const s = readState(l.stateFile);
  if (!s || !supervisorAlive(s))
    throw new VrError('the sandbox is not running', ExitCode.precondition, [
      'vault-runbook sandbox up',
    ]);
  let message: string;
  if (kind === 'seal')
    message = await seal(io, target ?? '', opts, s.socket, readFileSync(s.caFile), signal);
  else {
    const r = await askSupervisor(
      s.socket,
      { op: 'fault', kind, ...(target ? { target } : {}) },
      signal,
    );
    if (!r.ok) throw refusal(r, 'bad fault request', 'the fault failed');
    message = r.message ?? 'done';
  }
  io.stdout.write(`${message}\n`);
}
