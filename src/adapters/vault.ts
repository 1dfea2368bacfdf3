import type { z } from 'zod';
import { HEALTH_CODES } from '../domain/health.js';
import { UsageError } from '../domain/errors.js';
import type { Profile } from '../domain/schema.js';
import { Secret } from '../domain/secret.js';
import {
  type AuditDevice,
  type GenerateRootDone,
  type GenerateRootStart,
  type GenerateRootStarted,
  type GenerateRootStatus,
  type HealthResult,
  type InitRequest,
  type InitResult,
  type KvMetadata,
  type KvPath,
  type KvSecret,
  type LeaderStatus,
  type Mount,
  type MountRequest,
  type RekeyRequest,
  type RekeyResult,
  type RekeyStatus,
  type RekeyVerifyStatus,
  type RekeyVerifyUpdate,
  type SealStatus,
  type TokenCreated,
  type TokenCreateRequest,
  type TokenInfo,
  type VaultNode,
  type VaultPort,
  journalSealPath,
  VaultApiError,
} from '../engine/vault.js';
import * as S from './vault-schemas.js';
import { parse, seg, toSealStatus, toTokenInfo } from './vault-convert.js';

import { VaultCaller } from './vault-caller.js';
import * as KV from './vault-kv.js';
import * as KEYS from './vault-keys.js';

export { decodeRootToken } from './vault-convert.js';
import { VaultTransport, type Method, type TransportOptions } from './vault-transport.js';
import { checkTransportPolicy, envSkipVerify } from './vault-policy.js';

/** Init makes keys (and encrypts them to PGP keys): give it more than a status read. */
const INIT_TIMEOUT_MS = 30_000;

export interface VaultHttpOptions extends TransportOptions {
  readonly nodes: readonly VaultNode[];
  /** The DR region's nodes (a failover's promotion target); held to the same TLS policy. */
  readonly drNodes?: readonly VaultNode[];
  /**
   * The profile's loud override (`vault.tls.insecure_override`): its reason. Without it, an
   * http:// address or skip-verify is refused.
   */
  readonly insecureOverride?: string;
  /**
   * Where the nodes are found when the profile does not list them (`vault.discover`): called
   * by `refresh`, its answer replaces the node list, held to the same TLS policy.
   */
  readonly discover?: (signal: AbortSignal) => Promise<readonly VaultNode[]>;
  /** The same for the DR region's nodes (`vault.dr_discover`): `refresh` finds them too. */
  readonly drDiscover?: (signal: AbortSignal) => Promise<readonly VaultNode[]>;
}

/** The Vault API over VaultTransport (no redirects, verified TLS, a deadline per call). */
export class VaultHttp implements VaultPort {
  #nodes: readonly VaultNode[];
  #drNodes: readonly VaultNode[];
  readonly #http: VaultTransport;
  readonly #c: VaultCaller;
  readonly #opts: VaultHttpOptions;
  /** Set when the profile's loud override allowed http:// or skip-verify. */
  insecure: string | undefined;

  constructor(opts: VaultHttpOptions) {
    this.insecure = checkTransportPolicy(
      [...opts.nodes, ...(opts.drNodes ?? [])],
      opts.skipVerify ?? false,
      opts.insecureOverride,
    );
    this.#nodes = opts.nodes;
    this.#drNodes = opts.drNodes ?? [];
    this.#opts = opts;
    this.#http = new VaultTransport({
      ...opts,
      allowPlainHttp: Boolean(opts.insecureOverride?.trim()),
    });
    this.#c = new VaultCaller(this.#http);
  }

  nodes(): readonly VaultNode[] {
    return this.#nodes;
  }

  /** Finds the nodes again (`vault.discover`); a client with fixed addresses has nothing to do. */
  async refresh(signal: AbortSignal): Promise<void> {
    const { discover, drDiscover } = this.#opts;
    if (!discover && !drDiscover) return;
    const [nodes, drNodes] = await Promise.all([
      discover ? discover(signal) : this.#nodes,
      drDiscover ? drDiscover(signal) : this.#drNodes,
    ]);
    // A discovered http:// address meets the same refusal as a listed one.
    this.insecure = checkTransportPolicy(
      [...nodes, ...drNodes],
      this.#opts.skipVerify ?? false,
      this.#opts.insecureOverride,
    );
    this.#nodes = nodes;
    this.#drNodes = drNodes;
  }

  /** Closes the pooled connections to every node (see VaultTransport). */
  close(): void {
    this.#http.close();
  }

  drNodes(): readonly VaultNode[] {
    return this.#drNodes;
  }

  #call<T extends z.ZodType>(
    node: VaultNode,
    method: Method,
    path: string,
    schema: T,
    signal: AbortSignal,
    opts: { body?: unknown; token?: Secret; timeoutMs?: number } = {},
  ): Promise<z.output<T>> {
    return this.#c.call(node, method, path, schema, signal, opts);
  }

  #do(
    node: VaultNode,
    method: Method,
    path: string,
    signal: AbortSignal,
    opts: { body?: unknown; token?: Secret } = {},
  ): Promise<void> {
    return this.#c.do(node, method, path, signal, opts);
  }

  async health(
    node: VaultNode,
    signal: AbortSignal,
    query: Readonly<Record<string, string | number | boolean>> = {},
  ): Promise<HealthResult> {
    try {
      const entries = Object.entries(query);
      const qs = entries.length
        ? new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()
        : '';
      // Its HTTP code is the answer (200 active, 429 standby, 503 sealed…), not an error.
      const r = await this.#http.send(
        node,
        { method: 'GET', path: `sys/health${qs ? `?${qs}` : ''}` },
        signal,
        (s) => (s >= 200 && s < 300) || s in HEALTH_CODES,
      );
      return {
        reachable: true,
        code: r.status,
        body: parse(S.HealthBodySchema, r.body, `${node.name}: sys/health`),
      };
    } catch (err) {
      return {
        reachable: false,
        error: err instanceof Error ? err.message || err.name : String(err),
      };
    }
  }

  async sealStatus(node: VaultNode, signal: AbortSignal): Promise<SealStatus> {
    return toSealStatus(
      await this.#call(node, 'GET', 'sys/seal-status', S.SealStatusSchema, signal),
    );
  }

  async init(node: VaultNode, req: InitRequest, signal: AbortSignal): Promise<InitResult> {
    const body = {
      secret_shares: req.secretShares,
      secret_threshold: req.secretThreshold,
      ...(req.pgpKeys ? { pgp_keys: req.pgpKeys } : {}),
      ...(req.rootTokenPgpKey ? { root_token_pgp_key: req.rootTokenPgpKey } : {}),
    };
    const r = await this.#call(node, 'PUT', 'sys/init', S.InitSchema, signal, {
      body,
      timeoutMs: INIT_TIMEOUT_MS,
    });
    return {
      keys: r.keys.map((k, i) => new Secret(k, `share ${i + 1}`)),
      keysBase64: r.keys_base64.map((k, i) => new Secret(k, `share ${i + 1}`)),
      rootToken: new Secret(r.root_token, 'root token'),
    };
  }

  async unseal(node: VaultNode, key: Secret, signal: AbortSignal): Promise<SealStatus> {
    return toSealStatus(
      await this.#call(node, 'PUT', 'sys/unseal', S.SealStatusSchema, signal, {
        body: { key: key.reveal() },
      }),
    );
  }

  async unsealReset(node: VaultNode, signal: AbortSignal): Promise<SealStatus> {
    return toSealStatus(
      await this.#call(node, 'PUT', 'sys/unseal', S.SealStatusSchema, signal, {
        body: { reset: true },
      }),
    );
  }

  async leader(node: VaultNode, signal: AbortSignal): Promise<LeaderStatus> {
    const r = await this.#call(node, 'GET', 'sys/leader', S.LeaderSchema, signal);
    return {
      haEnabled: r.ha_enabled,
      isSelf: r.is_self,
      leaderAddress: r.leader_address,
      leaderClusterAddress: r.leader_cluster_address,
    };
  }

  generateRootStatus(node: VaultNode, signal: AbortSignal): Promise<GenerateRootStatus> {
    return KEYS.generateRootStatus(this.#c, node, signal);
  }

  generateRootStart(
    node: VaultNode,
    how: GenerateRootStart,
    signal: AbortSignal,
  ): Promise<GenerateRootStarted> {
    return KEYS.generateRootStart(this.#c, node, how, signal);
  }

  generateRootUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    otp: Secret | undefined,
    signal: AbortSignal,
  ): Promise<GenerateRootStatus | GenerateRootDone> {
    return KEYS.generateRootUpdate(this.#c, node, key, nonce, otp, signal);
  }

  generateRootCancel(node: VaultNode, signal: AbortSignal): Promise<void> {
    return KEYS.generateRootCancel(this.#c, node, signal);
  }

  rekeyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyStatus> {
    return KEYS.rekeyStatus(this.#c, node, signal);
  }

  rekeyStart(node: VaultNode, req: RekeyRequest, signal: AbortSignal): Promise<RekeyStatus> {
    return KEYS.rekeyStart(this.#c, node, req, signal);
  }

  rekeyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyStatus | RekeyResult> {
    return KEYS.rekeyUpdate(this.#c, node, key, nonce, signal);
  }

  rekeyCancel(node: VaultNode, signal: AbortSignal): Promise<void> {
    return KEYS.rekeyCancel(this.#c, node, signal);
  }

  rekeyVerifyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyVerifyStatus> {
    return KEYS.rekeyVerifyStatus(this.#c, node, signal);
  }

  rekeyVerifyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyVerifyUpdate> {
    return KEYS.rekeyVerifyUpdate(this.#c, node, key, nonce, signal);
  }

  async seal(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    await this.#do(node, 'PUT', 'sys/seal', signal, { token });
  }

  async stepDownForFailover(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    await this.#do(node, 'PUT', 'sys/step-down', signal, { token });
  }

  async mounts(node: VaultNode, token: Secret, signal: AbortSignal): Promise<readonly Mount[]> {
    const r = await this.#call(node, 'GET', 'sys/mounts', S.MountsSchema, signal, { token });
    return Object.entries(r.data).map(([path, m]) => ({
      path,
      type: m.type,
      uuid: m.uuid,
      ...(m.options?.version ? { version: m.options.version } : {}),
    }));
  }

  async mountEnable(
    node: VaultNode,
    token: Secret,
    path: string,
    req: MountRequest,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#do(node, 'POST', `sys/mounts/${seg(path)}`, signal, {
      token,
      body: {
        type: req.type,
        ...(req.description ? { description: req.description } : {}),
        ...(req.version ? { options: { version: req.version } } : {}),
      },
    });
  }

  async auditDevices(
    node: VaultNode,
    token: Secret,
    signal: AbortSignal,
  ): Promise<readonly AuditDevice[]> {
    const r = await this.#call(node, 'GET', 'sys/audit', S.AuditSchema, signal, { token });
    return Object.entries(r.data).map(([path, d]) => ({ path, type: d.type, options: d.options }));
  }

  async auditEnableFile(
    node: VaultNode,
    token: Secret,
    path: string,
    filePath: string,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#do(node, 'PUT', `sys/audit/${seg(path)}`, signal, {
      token,
      body: { type: 'file', options: { file_path: filePath } },
    });
  }

  async journalSeal(
    node: VaultNode,
    token: Secret,
    runId: string,
    hash: string,
    signal: AbortSignal,
  ): Promise<{ path: string }> {
    const path = journalSealPath(runId, hash);
    // The path, not a body, carries the hash: bodies reach the audit log HMAC'd. A read, not a
    // write: the audit device logs the request (after the token is checked, before the path is
    // looked up), and nothing is stored — an S3 recovery's proof that no other storage object
    // changed stays true after the run's last record. Nothing is there, so Vault answers 404.
    await this.#do(node, 'GET', path, signal, { token }).catch((err: unknown) => {
      if (err instanceof VaultApiError && err.status === 404) return;
      throw err;
    });
    return { path };
  }

  async auditHash(
    node: VaultNode,
    token: Secret,
    path: string,
    input: string,
    signal: AbortSignal,
  ): Promise<string> {
    const r = await this.#call(
      node,
      'POST',
      `sys/audit-hash/${seg(path)}`,
      S.AuditHashSchema,
      signal,
      {
        token,
        body: { input },
      },
    );
    return r.hash;
  }

  async policyWrite(
    node: VaultNode,
    token: Secret,
    name: string,
    hcl: string,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#do(node, 'PUT', `sys/policies/acl/${seg(name)}`, signal, {
      token,
      body: { policy: hcl },
    });
  }

  async tokenCreate(
    node: VaultNode,
    token: Secret,
    req: TokenCreateRequest,
    signal: AbortSignal,
  ): Promise<TokenCreated> {
    const r = await this.#call(node, 'POST', 'auth/token/create', S.TokenCreateSchema, signal, {
      token,
      body: {
        policies: req.policies,
        ...(req.ttl ? { ttl: req.ttl } : {}),
        ...(req.orphan ? { no_parent: true } : {}),
        ...(req.renewable !== undefined ? { renewable: req.renewable } : {}),
        ...(req.displayName ? { display_name: req.displayName } : {}),
        ...(req.meta ? { meta: req.meta } : {}),
      },
    });
    return {
      token: new Secret(r.auth.client_token, 'token'),
      accessor: r.auth.accessor,
      policies: r.auth.policies,
    };
  }

  async tokenLookupSelf(node: VaultNode, token: Secret, signal: AbortSignal): Promise<TokenInfo> {
    return toTokenInfo(
      await this.#call(node, 'GET', 'auth/token/lookup-self', S.TokenLookupSchema, signal, {
        token,
      }),
    );
  }

  async tokenLookupAccessor(
    node: VaultNode,
    token: Secret,
    accessor: string,
    signal: AbortSignal,
  ): Promise<TokenInfo> {
    return toTokenInfo(
      await this.#call(node, 'POST', 'auth/token/lookup-accessor', S.TokenLookupSchema, signal, {
        token,
        body: { accessor },
      }),
    );
  }

  async tokenAccessors(
    node: VaultNode,
    token: Secret,
    signal: AbortSignal,
  ): Promise<readonly string[]> {
    const r = await this.#call(
      node,
      'GET',
      'auth/token/accessors?list=true',
      S.AccessorListSchema,
      signal,
      { token },
    );
    return r.data.keys;
  }

  async tokenRevokeSelf(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    await this.#do(node, 'POST', 'auth/token/revoke-self', signal, { token });
  }

  async tokenRevokeAccessor(
    node: VaultNode,
    token: Secret,
    accessor: string,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#do(node, 'POST', 'auth/token/revoke-accessor', signal, {
      token,
      body: { accessor },
    });
  }

  kvRead(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    signal: AbortSignal,
    version?: number,
  ): Promise<KvSecret | undefined> {
    return KV.kvRead(this.#c, node, token, at, signal, version);
  }

  kvWrite(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    data: Readonly<Record<string, Secret | string>>,
    signal: AbortSignal,
    cas?: number,
  ): Promise<{ version?: number }> {
    return KV.kvWrite(this.#c, node, token, at, data, signal, cas);
  }

  kvMetadata(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    signal: AbortSignal,
  ): Promise<KvMetadata | undefined> {
    return KV.kvMetadata(this.#c, node, token, at, signal);
  }

  kvDelete(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    signal: AbortSignal,
    versions?: readonly number[],
  ): Promise<void> {
    return KV.kvVersions(this.#c, node, token, at, 'delete', versions, signal);
  }

  kvUndelete(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    versions: readonly number[],
    signal: AbortSignal,
  ): Promise<void> {
    return KV.kvVersions(this.#c, node, token, at, 'undelete', versions, signal);
  }

  kvDestroy(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    versions: readonly number[],
    signal: AbortSignal,
  ): Promise<void> {
    return KV.kvVersions(this.#c, node, token, at, 'destroy', versions, signal);
  }
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

/**
 * The client for a profile (or VAULT_ADDR/VAULT_CACERT without one). VAULT_TOKEN is never read
 * here: a token reaches a call only when a step hands it over.
 */
export function vaultFromProfile(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv = process.env,
  discover?: (signal: AbortSignal) => Promise<readonly VaultNode[]>,
  drDiscover?: (signal: AbortSignal) => Promise<readonly VaultNode[]>,
): VaultHttp {
  const nodes = nodesFromProfile(profile, env);
  if (nodes.length === 0 && !discover)
    throw new UsageError('no Vault addresses: give a profile (--profile) or set VAULT_ADDR', [
      'vault-runbook sandbox up',
    ]);
  const tls = profile?.vault.tls;
  const ca = tls?.ca_cert ?? env.VAULT_CACERT;
  const skip = tls?.skip_verify === true || envSkipVerify(env);
  const drNodes = (profile?.vault.dr_addresses ?? []).map((address, i) => ({
    name: `dr-node-${i + 1}`,
    address: address.replace(/\/$/, ''),
  }));
  return new VaultHttp({
    nodes,
    ...(drNodes.length ? { drNodes } : {}),
    ...(ca ? { caCert: ca } : {}),
    ...(tls?.server_name ? { serverName: tls.server_name } : {}),
    ...(skip ? { skipVerify: true } : {}),
    ...(tls?.insecure_override ? { insecureOverride: tls.insecure_override } : {}),
    ...(discover ? { discover } : {}),
    ...(drDiscover ? { drDiscover } : {}),
  });
}
