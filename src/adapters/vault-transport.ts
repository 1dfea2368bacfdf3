import { readFileSync, statSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  checkServerIdentity,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
} from 'node:tls';
import { UsageError } from '../domain/errors.js';
import type { Secret } from '../domain/secret.js';
import { VaultApiError, type VaultNode } from '../engine/vault.js';

/**
 * Vault's HTTP API on node:http(s), small enough to read in one sitting. What it promises:
 * - no redirect is ever followed: a 3xx is an error naming where it pointed, so neither a body
 *   (a share) nor a token reaches an address the profile did not choose;
 * - TLS is verified against the given CA (re-read when the file changes), with `serverName`
 *   checked instead of the address's host when the profile gives one;
 * - `X-Vault-Token` only on calls given a token — never one from the environment;
 * - one deadline per request (connect + answer), combined with the caller's signal; on expiry the
 *   socket is destroyed, so a node that accepts and never answers costs one timeout and holds
 *   nothing open;
 * - one keep-alive connection pool per node: the status poller asks every node several times a
 *   round, and a TLS handshake per call cost more CPU than everything else an idle screen does.
 *   A pooled socket was verified like a new one (the pool is keyed by CA text, server name and
 *   verification, so a changed CA opens new connections), an idle one is closed after
 *   IDLE_SOCKET_MS, and `close()` destroys them all.
 */

export const DEFAULT_TIMEOUT_MS = 5000;
/**
 * The most a node may answer with. Vault's own answers here are a few KiB; a node that sends
 * more (a compromised or impostor node streaming gigabytes within the deadline) is cut off
 * before it can exhaust the operator's memory.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Vault's error text is echoed into messages: a node cannot make one longer than this. */
const MAX_ERROR_CHARS = 500;

/**
 * An idle pooled socket is closed after this long: well inside Vault's own idle timeout (5 min
 * by default), so the server rarely closes a socket just as it is reused.
 */
const IDLE_SOCKET_MS = 15_000;

export interface TransportOptions {
  readonly caCert?: string;
  readonly serverName?: string;
  /** Only with the profile's loud override (`vault.tls.insecure`). */
  readonly skipVerify?: boolean;
  /**
   * An http:// node is refused on every call unless this is set (the profile's loud override):
   * a node that is not in the profile's list — the quarantine's recovery node, a discovered one —
   * is held to the same rule as the listed ones.
   */
  readonly allowPlainHttp?: boolean;
  readonly timeoutMs?: number;
}

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST';

export interface VaultRequest {
  readonly method: Method;
  /** Below /v1/, e.g. `sys/health?standbyok=true`. */
  readonly path: string;
  readonly body?: unknown;
  readonly token?: Secret;
  readonly timeoutMs?: number;
}

export interface VaultResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The CA's text, re-read when the file changes (a re-created sandbox writes a new CA). The
 * file is looked at once per turn of the event loop: a status round sends its six requests in
 * one synchronous run, and one stat serves them all (a change cannot be seen within the run).
 */
class CaFile {
  #stamp = '';
  #text: string | undefined;
  /** Set while the current synchronous run has already looked at the file. */
  #checked = false;
  constructor(readonly path: string) {}
  text(): string {
    if (this.#checked && this.#text !== undefined) return this.#text;
    const text = this.#read();
    this.#checked = true;
    process.nextTick(() => {
      this.#checked = false;
    });
    return text;
  }
  #read(): string {
    let stamp: string;
    try {
      const st = statSync(this.path);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch (err) {
      if (this.#text !== undefined) return this.#text;
      throw new Error(`the CA file ${this.path} cannot be read (${(err as Error).message})`);
    }
    if (stamp !== this.#stamp || this.#text === undefined) {
      const text = readFileSync(this.path, 'utf8');
      // A file caught mid-rewrite is empty: keep the old CA and read again next time.
      if (text.trim() === '' && this.#text !== undefined) return this.#text;
      this.#text = text;
      this.#stamp = stamp;
    }
    return this.#text;
  }
}

/** Only the origin of a Location header, and only when it is a URL: it is outside text. */
function originOf(location: string | undefined): string | undefined {
  if (!location) return undefined;
  try {
    const u = new URL(location);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A standby answered 307 (request forwarding off): never followed. It names where the active
 * node is, so the caller can pick that node from its profile — and only from its profile.
 */
export class VaultRedirectError extends VaultApiError {
  readonly location: string | undefined;
  constructor(node: VaultNode, label: string, status: number, location: string | undefined) {
    super(
      `${node.name}: ${label}: redirected (${status}) to ${location ?? 'an unreadable address'}, not followed: send it to the active node`,
      status,
    );
    this.name = 'VaultRedirectError';
    this.location = location;
  }
}

function secondsOf(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Vault's `{"errors": [...]}`, joined; the HTTP status line otherwise. */
function vaultErrors(body: unknown, status: number): string {
  const errs = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errs) || errs.length === 0) return `HTTP ${status}`;
  const text = errs.map(String).join('; ');
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/** What a request needs of a node's address. */
interface Target {
  readonly protocol: string;
  readonly origin: string;
  /** The hostname without an IPv6 address's brackets. */
  readonly host: string;
  readonly port: string | number;
  /** The address's own path, without a trailing slash (a node behind a path prefix). */
  readonly base: string;
}

/** Parsed addresses kept by a transport: a cluster's nodes, old and new, many times over. */
const MAX_TARGETS = 256;

/**
 * A request's own deadline combined with the caller's signal: what domain/deadline.ts's
 * withDeadline gives, without an AbortController of its own. The status poller sends six
 * requests every two seconds, each already under the collector's deadline; a second
 * controller, its signal and their listeners per request were a tenth of what a round
 * allocated. As there, the timer holds what it must abort, so the deadline fires whatever the
 * caller keeps, and `dispose()` leaves no listener on a long-lived caller's signal.
 */
class CallDeadline {
  #expired = false;
  #abort: (() => void) | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #fire = (): void => {
    const abort = this.#abort;
    this.#abort = undefined;
    abort?.();
  };
  constructor(
    readonly signal: AbortSignal,
    ms: number,
  ) {
    this.#timer = setTimeout(() => {
      this.#expired = true;
      this.#fire();
    }, ms);
    if (!signal.aborted) signal.addEventListener('abort', this.#fire, { once: true });
  }
  /** The deadline passed or the caller gave up. */
  get aborted(): boolean {
    return this.#expired || this.signal.aborted;
  }
  /**
   * `abort` runs once, when the deadline passes or the caller gives up, unless released first
   * (the returned function). One at a time: a request, then its retry.
   */
  onAbort(abort: () => void): () => void {
    this.#abort = abort;
    return () => {
      if (this.#abort === abort) this.#abort = undefined;
    };
  }
  dispose(): void {
    clearTimeout(this.#timer);
    this.signal.removeEventListener('abort', this.#fire);
  }
}

/** Methods that read: a pooled socket the server closed as it was reused is retried once. */
const RETRYABLE = new Set(['GET', 'LIST']);

/** A pooled socket that turned out closed (retried once, for reads only). */
class StaleSocket extends Error {}

export class VaultTransport {
  readonly #ca: CaFile | undefined;
  readonly #timeout: number;
  /** Keep-alive pools by node origin and CA text (a re-read CA gets fresh connections). */
  readonly #agents = new Map<string, { readonly ca: string | undefined; agent: HttpAgent }>();
  readonly #targets = new Map<string, Target>();
  #closed = false;
  #tls: { readonly ca: string; readonly ctx: SecureContext } | undefined;
  constructor(readonly opts: TransportOptions = {}) {
    this.#ca = opts.caCert ? new CaFile(opts.caCert) : undefined;
    this.#timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** A node address, parsed once (the poller asks the same few addresses every round). */
  #target(address: string): Target {
    let t = this.#targets.get(address);
    if (!t) {
      const url = new URL(address);
      const https = url.protocol === 'https:';
      t = {
        protocol: url.protocol,
        origin: url.origin,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (https ? 443 : 80),
        base: url.pathname.replace(/\/+$/, ''),
      };
      // Addresses come from a profile or a discovery: few, but not to grow without bound.
      if (this.#targets.size >= MAX_TARGETS) this.#targets.clear();
      this.#targets.set(address, t);
    }
    return t;
  }

  #agent(origin: string, https: boolean, ca: string | undefined): HttpAgent {
    const had = this.#agents.get(origin);
    if (had && had.ca === ca) return had.agent;
    // The CA changed: connections verified against the old one are closed, not reused.
    had?.agent.destroy();
    const opts = { keepAlive: true, maxSockets: 4, maxFreeSockets: 2, timeout: IDLE_SOCKET_MS };
    const agent = https ? new HttpsAgent(opts) : new HttpAgent(opts);
    this.#agents.set(origin, { ca, agent });
    return agent;
  }

  /** The TLS context for a CA text, parsed once per text rather than once per connection. */
  #context(ca: string): SecureContext {
    if (this.#tls?.ca !== ca) this.#tls = { ca, ctx: createSecureContext({ ca }) };
    return this.#tls.ctx;
  }

  /** Destroys every pooled connection; later calls fail instead of opening new ones. */
  close(): void {
    this.#closed = true;
    for (const { agent } of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }

  /**
   * One call. Resolves with any status the caller may want to read (sys/health's codes);
   * `expect` lists the statuses that are answers, every other one rejects as VaultApiError.
   */
  async send(
    node: VaultNode,
    req: VaultRequest,
    signal: AbortSignal,
    expect: (status: number) => boolean = (s) => s >= 200 && s < 300,
  ): Promise<VaultResponse> {
    const url = this.#target(node.address);
    const rel = req.path.replace(/^\/+/, '');
    const [pathOnly, query = ''] = rel.split('?', 2) as [string, string?];
    // Most calls (a status round's every one) have no query: nothing to parse or re-encode.
    const list = req.method === 'LIST';
    let q = '';
    if (query || list) {
      const qs = new URLSearchParams(query);
      if (list) qs.set('list', 'true');
      q = qs.toString();
    }
    const path = `${url.base}/v1/${pathOnly}${q ? `?${q}` : ''}`;
    const label = `${req.method} ${pathOnly}`;
    const timeoutMs = req.timeoutMs ?? this.#timeout;
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    if (req.token) headers['x-vault-token'] = req.token.reveal();
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:')
      throw new Error(`${node.name}: ${node.address} is not an http(s) address`);
    if (!https && !this.opts.allowPlainHttp)
      throw new UsageError(
        `refusing ${label} to ${node.name}: ${node.address} is not https, and the profile has no vault.tls.insecure_override; shares and tokens would travel unprotected`,
      );
    // Not AbortSignal.any with a timeout signal (see domain/deadline.ts), nor withDeadline's
    // controller: CallDeadline.
    const both = new CallDeadline(signal, timeoutMs);
    const exchange = async (): Promise<{ status: number; location?: string; text: string }> => {
      if (both.aborted) throw new Error(`${node.name}: ${label}: aborted before it was sent`);
      const serverName = this.opts.serverName;
      if (this.#closed) throw new Error(`${node.name}: ${label}: the Vault client is closed`);
      const ca = https && this.#ca ? this.#ca.text() : undefined;
      const secureContext = ca !== undefined ? this.#context(ca) : undefined;
      const agent = this.#agent(url.origin, https, ca);
      /** Why the call stopped once `both` aborted, for the request and for a retry alike. */
      const abortedError = (): Error => {
        // A caller's deadline (AbortSignal.timeout) is a timeout too, not an operator's abort.
        const callerTimeout =
          (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
        return new Error(
          // The caller's signal not aborted: this call's own deadline fired.
          !signal.aborted
            ? `${node.name}: ${label}: no answer within ${secondsOf(timeoutMs)}`
            : callerTimeout
              ? `${node.name}: ${label}: no answer before the deadline`
              : `${node.name}: ${label}: aborted`,
        );
      };
      const once = (): Promise<{ status: number; location?: string; text: string }> =>
        new Promise<{ status: number; location?: string; text: string }>((resolve, reject) => {
          // A retry after the deadline (or the caller) already gave up: an abort listener added
          // now would never fire, and the request would run without a deadline.
          if (both.aborted) {
            reject(abortedError());
            return;
          }
          const common = {
            host: url.host,
            port: url.port,
            method: req.method === 'LIST' ? 'GET' : req.method,
            path,
            headers,
            agent,
          };
          const r = https
            ? httpsRequest({
                ...common,
                // The context built once from the CA verifies the connection. Not `ca` itself:
                // the agent would join its text into the pool key of every request, and each
                // CA text has an agent of its own already (#agent).
                ...(secureContext ? { secureContext } : {}),
                rejectUnauthorized: !this.opts.skipVerify,
                ...(serverName
                  ? {
                      servername: serverName,
                      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
                        checkServerIdentity(serverName, cert),
                    }
                  : {}),
              })
            : httpRequest(common);
          const onAbort = (): void => {
            r.destroy(abortedError());
          };
          const done = both.onAbort(onAbort);
          r.on('error', (err) => {
            done();
            // The server closed a pooled socket as it was reused: nothing was read, ask again.
            if (
              r.reusedSocket &&
              (err as NodeJS.ErrnoException).code === 'ECONNRESET' &&
              RETRYABLE.has(req.method) &&
              !both.aborted
            ) {
              reject(new StaleSocket());
              return;
            }
            reject(
              err.message.startsWith(`${node.name}:`)
                ? err
                : new Error(`${node.name}: ${label}: ${err.message}`),
            );
          });
          r.on('response', (m: IncomingMessage) => {
            const chunks: Buffer[] = [];
            let size = 0;
            m.on('data', (c: Buffer) => {
              size += c.length;
              if (size > MAX_RESPONSE_BYTES) {
                chunks.length = 0;
                r.destroy(
                  new Error(
                    `${node.name}: ${label}: answered with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB: cut off`,
                  ),
                );
                return;
              }
              chunks.push(c);
            });
            m.on('error', (err) => {
              done();
              reject(new Error(`${node.name}: ${label}: ${err.message}`));
            });
            m.on('end', () => {
              done();
              resolve({
                status: m.statusCode ?? 0,
                ...(typeof m.headers.location === 'string' ? { location: m.headers.location } : {}),
                text: Buffer.concat(chunks).toString('utf8'),
              });
            });
          });
          r.end(body);
        });
      return once().catch((err: unknown) => {
        if (err instanceof StaleSocket) return once();
        throw err;
      });
    };
    let res: { status: number; location?: string; text: string };
    try {
      res = await exchange();
    } finally {
      both.dispose();
    }
    if (res.status >= 300 && res.status < 400)
      throw new VaultRedirectError(node, label, res.status, originOf(res.location));
    let parsed: unknown = undefined;
    if (res.text.trim() !== '') {
      try {
        parsed = JSON.parse(res.text) as unknown;
      } catch {
        throw new VaultApiError(
          `${node.name}: ${label}: HTTP ${res.status} with a body that is not JSON`,
          res.status,
        );
      }
    }
    if (!expect(res.status))
      throw new VaultApiError(
        `${node.name}: ${label}: ${vaultErrors(parsed, res.status)}`,
        res.status,
      );
    return { status: res.status, body: parsed };
  }
}
