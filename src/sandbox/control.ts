import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import type { RegionKey } from './layout.js';
import type { RecoveryNodeRequest } from './recovery.js';

/** Requests to the supervisor over its unix socket (one JSON line each way), from any shell. */
export type ControlRequest =
  | { readonly op: 'ping' }
  | { readonly op: 'shutdown' }
  | { readonly op: 'resolve'; readonly target: string }
  | { readonly op: 'restart'; readonly target: string }
  | { readonly op: 'fault'; readonly kind: string; readonly target?: string }
  | { readonly op: 'image'; readonly version: string; readonly region: RegionKey }
  | { readonly op: 'replication'; readonly enabled: boolean }
  | ({ readonly op: 'recovery-start' } & RecoveryNodeRequest)
  | { readonly op: 'recovery-stop'; readonly name: string }
  | { readonly op: 'recovery-list' };

export interface ControlReply {
  readonly ok: boolean;
  readonly message?: string;
  readonly error?: string;
  /** A usage problem (unknown node, AZ…): the CLI exits 2 instead of 1. */
  readonly usage?: boolean;
  readonly data?: unknown;
}

export function serveControl(
  path: string,
  handle: (req: ControlRequest) => Promise<ControlReply>,
): Promise<Server> {
  if (existsSync(path)) unlinkSync(path);
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = '';
      let req: ControlRequest;
      try {
        req = JSON.parse(line) as ControlRequest;
      } catch {
        sock.end(`${JSON.stringify({ ok: false, error: 'not JSON' })}\n`);
        return;
      }
      handle(req).then(
        (reply) => sock.end(`${JSON.stringify(reply)}\n`),
        (err: unknown) =>
          sock.end(
            `${JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) })}\n`,
          ),
      );
    });
    sock.on('error', () => sock.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      // Only the user who started the sandbox may fault it.
      chmodSync(path, 0o600);
      resolve(server);
    });
  });
}

export async function askSupervisor(
  path: string,
  req: ControlRequest,
  signal: AbortSignal,
): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let buf = '';
    const onAbort = (): void => {
      sock.destroy();
      reject(new Error('the sandbox supervisor did not answer in time'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (c: string) => (buf += c));
    sock.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      try {
        resolve(JSON.parse(buf) as ControlReply);
      } catch {
        reject(new Error('the sandbox supervisor gave no answer'));
      }
    });
    sock.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}
