import type { z } from 'zod';
import { HEALTH_CODES } from '../domain/health.js';
import { UsageError } from '../domain/errors.js';
import type { Profile } from '../domain/schema.js';
import { Secret } from '../domain/secret.js';
import {
  VaultApiError,
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
} from '../engine/vault.js';
import * as S from './vault-schemas.js';
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
}

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success)
    throw new Error(
      `${what}: Vault's answer does not have the expected shape (${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')})`,
    );
  return r.data;
}

function toSealStatus(b: z.output<typeof S.SealStatusSchema>): SealStatus {
  return {
    initialized: b.initialized,
    sealed: b.sealed,
    t: b.t,
    n: b.n,
    progress: b.progress,
    nonce: b.nonce,
    version: b.version,
    ...(b.type !== undefined ? { type: b.type } : {}),
    ...(b.cluster_name !== undefined ? { clusterName: b.cluster_name } : {}),
  };
}

function toGenerateRoot(b: z.output<typeof S.GenerateRootSchema>): GenerateRootStatus {
  return {
    started: b.started,
    nonce: b.nonce,
    progress: b.progress,
    required: b.required,
    complete: b.complete,
    ...(b.pgp_fingerprint ? { pgpFingerprint: b.pgp_fingerprint } : {}),
  };
}

function toRekey(b: z.output<typeof S.RekeySchema>): RekeyStatus {
  return {
    started: b.started,
    nonce: b.nonce,
    t: b.t,
    n: b.n,
    progress: b.progress,
    required: b.required,
    pgpFingerprints: b.pgp_fingerprints,
    verificationRequired: b.verification_required,
    ...(b.verification_nonce ? { verificationNonce: b.verification_nonce } : {}),
  };
}

function toTokenInfo(b: z.output<typeof S.TokenLookupSchema>): TokenInfo {
  return {
    accessor: b.data.accessor,
    policies: b.data.policies,
    ttl: b.data.ttl,
    orphan: b.data.orphan,
    displayName: b.data.display_name,
  };
}

/**
 * What `vault operator generate-root -decode` does for an OTP attempt (Vault ≥ 1.10): the encoded
 * token is unpadded standard base64 of token XOR otp, byte for byte, both the same length.
 */
export function decodeRootToken(encoded: Secret, otp: Secret): Secret {
  const bytes = Buffer.from(encoded.reveal().replace(/=+$/, ''), 'base64');
  const pad = Buffer.from(otp.reveal(), 'utf8');
  if (bytes.length !== pad.length)
    throw new Error(
      `the encoded token (${bytes.length} bytes) and the OTP (${pad.length} bytes) differ in length`,
    );
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] ?? 0) ^ (pad[i] ?? 0);
  return new Secret(out.toString('utf8'), 'root token');
}

const seg = (p: string): string =>
  p
    .split('/')
    .filter((x) => x !== '')
    .map(encodeURIComponent)
    .join('/');

function kvValues(data: Readonly<Record<string, unknown>>, where: string): Record<string, Secret> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [
      k,
      new Secret(typeof v === 'string' ? v : JSON.stringify(v), `${where}:${k}`),
    ]),
  );
}

/** The Vault API over VaultTransport (no redirects, verified TLS, a deadline per call). */
export class VaultHttp implements VaultPort {
  readonly #nodes: readonly VaultNode[];
  readonly #drNodes: readonly VaultNode[];
  readonly #http: VaultTransport;
  /** Set when the profile's loud override allowed http:// or skip-verify. */
  readonly insecure: string | undefined;

  constructor(opts: VaultHttpOptions) {
    this.insecure = checkTransportPolicy(
      [...opts.nodes, ...(opts.drNodes ?? [])],
      opts.skipVerify ?? false,
      opts.insecureOverride,
    );
    this.#nodes = opts.nodes;
    this.#drNodes = opts.drNodes ?? [];
    this.#http = new VaultTransport(opts);
  }

  nodes(): readonly VaultNode[] {
    return this.#nodes;
  }

  drNodes(): readonly VaultNode[] {
    return this.#drNodes;
  }

  async #call<T extends z.ZodType>(
    node: VaultNode,
    method: Method,
    path: string,
    schema: T,
    signal: AbortSignal,
    opts: { body?: unknown; token?: Secret; timeoutMs?: number } = {},
  ): Promise<z.output<T>> {
    const r = await this.#http.send(node, { method, path, ...opts }, signal);
    return parse(schema, r.body, `${node.name}: ${method} ${path}`);
  }

  async #do(
    node: VaultNode,
    method: Method,
    path: string,
    signal: AbortSignal,
    opts: { body?: unknown; token?: Secret } = {},
  ): Promise<void> {
    await this.#http.send(node, { method, path, ...opts }, signal);
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

  async generateRootStatus(node: VaultNode, signal: AbortSignal): Promise<GenerateRootStatus> {
    return toGenerateRoot(
      await this.#call(node, 'GET', 'sys/generate-root/attempt', S.GenerateRootSchema, signal),
    );
  }

  async generateRootStart(
    node: VaultNode,
    how: GenerateRootStart,
    signal: AbortSignal,
  ): Promise<GenerateRootStarted> {
    const r = await this.#call(
      node,
      'PUT',
      'sys/generate-root/attempt',
      S.GenerateRootSchema,
      signal,
      {
        ...(how.kind === 'pgp' ? { body: { pgp_key: how.pgpKey } } : {}),
      },
    );
    if (how.kind === 'otp' && !r.otp)
      throw new Error('Vault did not return an OTP for the generate-root attempt (Vault < 1.10?)');
    return {
      status: toGenerateRoot(r),
      ...(r.otp ? { otp: new Secret(r.otp, 'generate-root OTP') } : {}),
    };
  }

  async generateRootUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    otp: Secret | undefined,
    signal: AbortSignal,
  ): Promise<GenerateRootStatus | GenerateRootDone> {
    const r = await this.#call(
      node,
      'PUT',
      'sys/generate-root/update',
      S.GenerateRootSchema,
      signal,
      {
        body: { key: key.reveal(), nonce },
      },
    );
    const encoded = r.encoded_token || r.encoded_root_token;
    if (!r.complete || !encoded) return toGenerateRoot(r);
    const enc = new Secret(encoded, 'encoded root token');
    // A PGP attempt's token is a base64 PGP message; an OTP attempt's decodes here.
    const base = { ...toGenerateRoot(r), nonce: r.nonce || nonce, complete: true as const };
    return r.pgp_fingerprint || !otp
      ? { ...base, encryptedToken: enc }
      : { ...base, token: decodeRootToken(enc, otp) };
  }

  async generateRootCancel(node: VaultNode, signal: AbortSignal): Promise<void> {
    await this.#do(node, 'DELETE', 'sys/generate-root/attempt', signal);
  }

  async rekeyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyStatus> {
    return toRekey(await this.#call(node, 'GET', 'sys/rekey/init', S.RekeySchema, signal));
  }

  async rekeyStart(node: VaultNode, req: RekeyRequest, signal: AbortSignal): Promise<RekeyStatus> {
    return toRekey(
      await this.#call(node, 'PUT', 'sys/rekey/init', S.RekeySchema, signal, {
        body: {
          secret_shares: req.shares,
          secret_threshold: req.threshold,
          ...(req.pgpKeys ? { pgp_keys: req.pgpKeys } : {}),
          ...(req.requireVerification ? { require_verification: true } : {}),
          backup: false,
        },
      }),
    );
  }

  async rekeyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyStatus | RekeyResult> {
    const b = await this.#call(node, 'PUT', 'sys/rekey/update', S.RekeySchema, signal, {
      body: { key: key.reveal(), nonce },
    });
    if (!b.complete) return toRekey(b);
    const pgp = b.pgp_fingerprints.length > 0;
    const keys = pgp ? b.keys_base64 : b.keys;
    return {
      complete: true,
      nonce: b.nonce,
      keys: keys.map((k, i) => new Secret(k, `new share ${i + 1}`)),
      pgpFingerprints: b.pgp_fingerprints,
      ...(b.verification_nonce ? { verificationNonce: b.verification_nonce } : {}),
    };
  }

  async rekeyCancel(node: VaultNode, signal: AbortSignal): Promise<void> {
    await this.#do(node, 'DELETE', 'sys/rekey/init', signal);
  }

  async rekeyVerifyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyVerifyStatus> {
    const b = await this.#call(node, 'GET', 'sys/rekey/verify', S.RekeyVerifySchema, signal);
    return { nonce: b.nonce, progress: b.progress, t: b.t, n: b.n };
  }

  async rekeyVerifyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyVerifyUpdate> {
    const b = await this.#call(node, 'PUT', 'sys/rekey/verify', S.RekeyVerifySchema, signal, {
      body: { key: key.reveal(), nonce },
    });
    return b.complete ? { complete: true } : { complete: false, progress: b.progress };
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

  async kvRead(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    signal: AbortSignal,
    version?: number,
  ): Promise<KvSecret | undefined> {
    const where = `${at.mount}/${at.path}`;
    try {
      if (at.kv === 1) {
        const r = await this.#call(
          node,
          'GET',
          `${seg(at.mount)}/${seg(at.path)}`,
          S.KvV1Schema,
          signal,
          {
            token,
          },
        );
        return { data: kvValues(r.data, where) };
      }
      const q = version !== undefined ? `?version=${version}` : '';
      const r = await this.#call(
        node,
        'GET',
        `${seg(at.mount)}/data/${seg(at.path)}${q}`,
        S.KvV2Schema,
        signal,
        { token },
      );
      if (!r.data.data) return undefined;
      return { data: kvValues(r.data.data, where), version: r.data.metadata.version };
    } catch (err) {
      // Nothing there, or its latest version deleted: Vault answers 404.
      if (err instanceof VaultApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async kvWrite(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    data: Readonly<Record<string, Secret | string>>,
    signal: AbortSignal,
    cas?: number,
  ): Promise<{ version?: number }> {
    const plain = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : v.reveal()]),
    );
    if (at.kv === 1) {
      await this.#do(node, 'PUT', `${seg(at.mount)}/${seg(at.path)}`, signal, {
        token,
        body: plain,
      });
      return {};
    }
    const r = await this.#call(
      node,
      'POST',
      `${seg(at.mount)}/data/${seg(at.path)}`,
      S.KvV2WriteSchema,
      signal,
      {
        token,
        body: { data: plain, ...(cas !== undefined ? { options: { cas } } : {}) },
      },
    );
    return { version: r.data.version };
  }

  async kvMetadata(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    signal: AbortSignal,
  ): Promise<KvMetadata | undefined> {
    try {
      const r = await this.#call(
        node,
        'GET',
        `${seg(at.mount)}/metadata/${seg(at.path)}`,
        S.KvMetadataSchema,
        signal,
        { token },
      );
      return {
        currentVersion: r.data.current_version,
        oldestVersion: r.data.oldest_version,
        versions: Object.entries(r.data.versions)
          .map(([v, i]) => ({
            version: Number(v),
            createdTime: i.created_time,
            deletionTime: i.deletion_time,
            destroyed: i.destroyed,
          }))
          .sort((a, b) => a.version - b.version),
      };
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 404) return undefined;
      throw err;
    }
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
): VaultHttp {
  const nodes = nodesFromProfile(profile, env);
  if (nodes.length === 0)
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
  });
}
