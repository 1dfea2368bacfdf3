import { errorMessage } from '../domain/errors.js';
import type { Ports } from './ports.js';

/** What became of writing a run's final journal hash into Vault's audit log: said as it is. */
export type AuditSeal =
  | { readonly kind: 'written'; readonly node: string; readonly path: string }
  /** No step of this run used an operator token: none is asked for just for this. */
  | { readonly kind: 'no-token' }
  | { readonly kind: 'failed'; readonly node: string; readonly error: string };

/**
 * Ties a finished run's journal to Vault's audit log: the operator token a step of this run
 * used (and Vault checked) reads a cubbyhole path (nothing stored) that carries the final hash in clear, so
 * `grep <hash> audit.log` finds the entry with its time, node and token accessor. A run that
 * never needed a token is not made to ask for one.
 */
export async function sealInAuditLog(
  ports: Pick<Ports, 'vault' | 'credentials'>,
  runId: string,
  hash: string,
  signal: AbortSignal,
): Promise<AuditSeal> {
  const used = ports.credentials?.confirmed();
  if (!used || !ports.vault) return { kind: 'no-token' };
  try {
    const { path } = await ports.vault.journalSeal(used.node, used.token, runId, hash, signal);
    return { kind: 'written', node: used.node.name, path };
  } catch (err) {
    return { kind: 'failed', node: used.node.name, error: errorMessage(err) };
  }
}

/** The end-of-run line's second half, the same in the headless output and the TUI. */
export function describeAuditSeal(seal: AuditSeal): string {
  switch (seal.kind) {
    case 'written':
      return `written to Vault's audit log on ${seal.node} (request path ${seal.path}; an auditor finds it with: grep <hash> <audit log>)`;
    case 'no-token':
      return "not written to Vault's audit log: no operator token in this run";
    case 'failed':
      return `not written to Vault's audit log: ${seal.node} refused (${seal.error}) — record the hash in the ticket instead`;
  }
}
