import { readFileSync, statSync } from 'node:fs';
import nodeVault from 'node-vault';
import type { HealthBody } from '../domain/health.js';
import type { Profile } from '../domain/schema.js';
import { Secret } from '../domain/secret.js';
import { UsageError } from '../domain/errors.js';
import {
  VaultApiError,
  type HealthResult,
  type InitRequest,
  type InitResult,
  type LeaderStatus,
  type SealStatus,
  type VaultNode,
  type VaultPort,
} from '../engine/vault.js';

const DEFAULT_TIMEOUT_MS = 5000;

interface RawResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

type Client = ReturnType<typeof nodeVault> & {
  handleVaultResponse: (r: RawResponse) => Promise<unknown>;
};

/** Rejects when the signal fires: node-vault takes a timeout but no AbortSignal. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted)
    return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export function toSealStatus(b: Record<string, unknown>): SealStatus {
  return {
    initialized: b.initialized === true,
    sealed: b.sealed === true,
    t: num(b.t),
    n: num(b.n),
    progress: num(b.progress),
    nonce: str(b.nonce),
    version: str(b.version),
    ...(typeof b.type === 'string' ? { type: b.type } : {}),
    ...(typeof b.cluster_name === 'string' ? { clusterName: b.cluster_name } : {}),
  };
}

export interface VaultHttpOptions {
  readonly nodes: readonly VaultNode[];
  readonly caCert?: string;
  readonly skipVerify?: boolean;
  readonly timeoutMs?: number;
}

/** Vault nodes named from their addresses: node-1… in profile order. */
export function nodesFromProfile(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv = process.env,
): VaultNode[] {
  const addrs = profile?.vault.addresses ?? (env.VAULT_ADDR ? [env.VAULT_ADDR] : []);
  return addrs.map((address, i) => ({
    name: `node-${i + 1}`,
    address: address.replace(/\/$/, ''),
  }));
}

export function vaultFromProfile(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv = process.env,
): VaultHttp {
  const nodes = nodesFromProfile(profile, env);
  if (nodes.length === 0)
    throw new UsageError('no Vault addresses: give a profile (--profile) or set VAULT_ADDR', [
      'vault-runbook sandbox up',
    ]);
  const ca = profile?.vault.tls?.ca_cert ?? env.VAULT_CACERT;
  return new VaultHttp({
    nodes,
    ...(ca ? { caCert: ca } : {}),
    ...(profile?.vault.tls?.skip_verify ? { skipVerify: true } : {}),
  });
}

/**
 * The Vault API over node-vault, one client per node. Its debug logger is replaced by a no-op:
 * with DEBUG=node-vault it would print request bodies — unseal shares among them.
 */
export class VaultHttp implements VaultPort {
  readonly #nodes: readonly VaultNode[];
  readonly #clients = new Map<string, Client>();
  readonly #timeout: number;
  readonly #opts: VaultHttpOptions;
  #stamp = '';

  constructor(opts: VaultHttpOptions) {
    this.#nodes = opts.nodes;
    this.#timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#opts = opts;
    this.#build();
  }

  /** The CA file's identity: a CA replaced on disk (a re-created sandbox) rebuilds the clients. */
  #caStamp(): string {
    if (!this.#opts.caCert) return '';
    try {
      const st = statSync(this.#opts.caCert);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return 'missing';
    }
  }

  #build(): void {
    const opts = this.#opts;
    this.#stamp = this.#caStamp();
    const ca = opts.caCert ? readFileSync(opts.caCert, 'utf8') : undefined;
    this.#clients.clear();
    for (const node of opts.nodes) {
      const client = nodeVault({
        endpoint: node.address,
        noCustomHTTPVerbs: true,
        debug: () => undefined,
        requestOptions: {
          ...(ca ? { ca } : {}),
          ...(opts.skipVerify ? { strictSSL: false } : {}),
          timeout: this.#timeout,
        },
      }) as Client;
      const original = client.handleVaultResponse.bind(client);
      // Keep sys/health's HTTP code: it is the answer (200 active, 429 standby, 503 sealed…).
      client.handleVaultResponse = (r: RawResponse) =>
        r && /sys\/health/.test(r.request.path)
          ? Promise.resolve({ __status: r.statusCode, body: r.body })
          : original(r).catch((e: unknown) => {
              const status =
                (e as { response?: { statusCode?: number } }).response?.statusCode ?? 0;
              throw new VaultApiError(
                `${r.request.path}: ${e instanceof Error ? e.message : String(e)}`,
                status,
              );
            });
      this.#clients.set(node.address, client);
    }
  }

  nodes(): readonly VaultNode[] {
    return this.#nodes;
  }

  #client(node: VaultNode): Client {
    if (this.#opts.caCert && this.#caStamp() !== this.#stamp) {
      try {
        this.#build();
      } catch {
        // Unreadable mid-rewrite: keep the clients we have, try again on the next request.
      }
    }
    const c = this.#clients.get(node.address);
    if (!c) throw new Error(`unknown Vault node ${node.address}`);
    return c;
  }

  async health(
    node: VaultNode,
    signal: AbortSignal,
    query: Readonly<Record<string, string | number | boolean>> = {},
  ): Promise<HealthResult> {
    try {
      const qs = new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      const r = (await abortable(
        this.#client(node).request({ path: `/sys/health${qs ? `?${qs}` : ''}`, method: 'GET' }),
        signal,
      )) as { __status: number; body: HealthBody };
      return { reachable: true, code: r.__status, body: r.body ?? {} };
    } catch (err) {
      return {
        reachable: false,
        error: err instanceof Error ? err.message || err.name : String(err),
      };
    }
  }

  async sealStatus(node: VaultNode, signal: AbortSignal): Promise<SealStatus> {
    return toSealStatus(
      (await abortable(
        this.#client(node).request({ path: '/sys/seal-status', method: 'GET' }),
        signal,
      )) as Record<string, unknown>,
    );
  }

  async init(node: VaultNode, req: InitRequest, signal: AbortSignal): Promise<InitResult> {
    const body = {
      secret_shares: req.secretShares,
      secret_threshold: req.secretThreshold,
      ...(req.pgpKeys ? { pgp_keys: req.pgpKeys } : {}),
      ...(req.rootTokenPgpKey ? { root_token_pgp_key: req.rootTokenPgpKey } : {}),
    };
    const r = (await abortable(
      this.#client(node).request({
        path: '/sys/init',
        method: 'PUT',
        json: body,
      }),
      signal,
    )) as {
      keys: string[];
      keys_base64: string[];
      root_token: string;
    };
    return {
      keys: r.keys.map((k, i) => new Secret(k, `share ${i + 1}`)),
      keysBase64: r.keys_base64.map((k, i) => new Secret(k, `share ${i + 1}`)),
      rootToken: new Secret(r.root_token, 'root token'),
    };
  }

  async unseal(node: VaultNode, key: Secret, signal: AbortSignal): Promise<SealStatus> {
    const r: unknown = await abortable(
      this.#client(node).request({
        path: '/sys/unseal',
        method: 'PUT',
        json: { key: key.reveal() },
      }),
      signal,
    );
    return toSealStatus(r as Record<string, unknown>);
  }

  async unsealReset(node: VaultNode, signal: AbortSignal): Promise<SealStatus> {
    const r: unknown = await abortable(
      this.#client(node).request({
        path: '/sys/unseal',
        method: 'PUT',
        json: { reset: true },
      }),
      signal,
    );
    return toSealStatus(r as Record<string, unknown>);
  }

  async seal(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    await this.request(node, { method: 'PUT', path: '/sys/seal', token }, signal);
  }

  async stepDown(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    await this.request(node, { method: 'PUT', path: '/sys/step-down', token }, signal);
  }

  async leader(node: VaultNode, signal: AbortSignal): Promise<LeaderStatus> {
    const r = (await abortable(
      this.#client(node).request({ path: '/sys/leader', method: 'GET' }),
      signal,
    )) as Record<string, unknown>;
    return {
      haEnabled: r.ha_enabled === true,
      isSelf: r.is_self === true,
      leaderAddress: str(r.leader_address),
      leaderClusterAddress: str(r.leader_cluster_address),
    };
  }

  async request(
    node: VaultNode,
    req: {
      method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST';
      path: string;
      body?: unknown;
      token?: Secret;
    },
    signal: AbortSignal,
  ): Promise<unknown> {
    const method = req.method === 'LIST' ? 'GET' : req.method;
    // `sys/mounts`, `/sys/mounts` and `/v1/sys/mounts` all mean the same endpoint.
    const rel = `/${req.path.replace(/^\/+/, '').replace(/^v1\//, '')}`;
    const path = req.method === 'LIST' ? `${rel}${rel.includes('?') ? '&' : '?'}list=true` : rel;
    return abortable(
      this.#client(node).request({
        path,
        method,
        ...(req.body !== undefined ? { json: req.body } : {}),
        ...(req.token ? { headers: { 'X-Vault-Token': req.token.reveal() } } : {}),
      }),
      signal,
    );
  }
}
