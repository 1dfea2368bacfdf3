import { randomBytes, randomUUID } from 'node:crypto';
import { Secret } from '../domain/secret.js';
import type { HealthBody } from '../domain/health.js';
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
  journalSealPath,
} from '../engine/vault.js';
import {
  bad,
  ClusterState,
  denied,
  shareHex,
  type FakeToken,
  type NodeState,
  type RekeyAttempt,
} from './fake-vault-core.js';

export interface FakeVaultOptions {
  /** Node names (addresses are https://<name>:8200); one node by default. */
  readonly nodes?: readonly string[];
  readonly version?: string;
  /** Vault's answer to sys/leader on a storage with HA (inmem has none). */
  readonly haEnabled?: boolean;
  /** Nodes come up unsealed after init, as with an auto-unseal (awskms) seal. */
  readonly unsealOnInit?: boolean;
  /**
   * DR region nodes (dr-node-1…): in this fake they see the same storage as the primary, as
   * the DR bucket holds what was replicated; they are listed by drNodes(), not nodes().
   */
  readonly drNodes?: readonly string[];
}

/** Faults a test switches on to see how the actions cope. */
export interface FakeVaultFaults {
  /** revoke-self answers 204 but revokes nothing. */
  revokeIsNoop?: boolean;
  /** revoke-self and revoke-accessor fail with a 500. */
  revokeFails?: boolean;
  /** A rekey completes but the old shares stay valid. */
  rekeyNotApplied?: boolean;
}

const OTP_LENGTH = 28;

/**
 * Vault in memory, for unit tests: one cluster (storage shared by its nodes), each node with its
 * own seal state and attempts. It passes the same contract suite as a real Vault server
 * (src/adapters/vault.contract.ts), so an action tested against it meets the same rules.
 */
export class FakeVault implements VaultPort {
  readonly calls: string[] = [];
  /** As VaultHttp sets it under the profile's insecure_override. */
  insecure: string | undefined;
  readonly faults: FakeVaultFaults = {};
  readonly cluster = new ClusterState();
  readonly #nodes: NodeState[];
  readonly #dr: ReadonlySet<string>;
  readonly #ha: boolean;
  readonly #autoUnseal: boolean;
  /** The shares the last rekey made (hex), to play the keyholders who receive them. */
  newShares: string[] = [];
  /** The last init request (to check what the actions sent). */
  lastInit: InitRequest | undefined;

  constructor(opts: FakeVaultOptions = {}) {
    this.#dr = new Set(opts.drNodes ?? []);
    this.#nodes = [...(opts.nodes ?? ['node-1']), ...(opts.drNodes ?? [])].map((name) => ({
      node: { name, address: `https://${name}:8200` },
      sealed: true,
      down: false,
      hangs: false,
      unseal: undefined,
      generateRoot: undefined,
      rekey: undefined,
    }));
    if (opts.version) this.cluster.version = opts.version;
    this.#ha = opts.haEnabled ?? true;
    this.#autoUnseal = opts.unsealOnInit ?? false;
  }

  // ── test controls (not part of the port) ──

  /** An initialized cluster with these shares (hex), every node sealed. */
  static sealedWith(
    shares: readonly string[],
    threshold: number,
    opts: FakeVaultOptions = {},
  ): FakeVault {
    const v = new FakeVault(opts);
    v.cluster.initialized = true;
    v.cluster.shares = shares.map(shareHex);
    v.cluster.threshold = threshold;
    return v;
  }

  /** An initialized cluster with these shares (hex), every node unsealed, the first active. */
  static unsealedWith(
    shares: readonly string[],
    threshold: number,
    opts: FakeVaultOptions = {},
  ): FakeVault {
    const v = FakeVault.sealedWith(shares, threshold, opts);
    for (const n of v.#nodes) v.#unsealed(n);
    return v;
  }

  /** A fresh root token, as `vault operator generate-root` would give (for tests that need one). */
  rootToken(): Secret {
    return new Secret(this.cluster.mint(['root'], 'init').token, 'root token');
  }

  state(name: string): NodeState {
    const n = this.#nodes.find((x) => x.node.name === name);
    if (!n) throw new Error(`no fake node ${name}`);
    return n;
  }

  /** The node restarts or is sealed: its memory (progress, attempts) is gone. */
  crash(name: string): void {
    const n = this.state(name);
    n.sealed = true;
    n.unseal = undefined;
    n.generateRoot = undefined;
    n.rekey = undefined;
    this.#elect();
  }

  /** Live tokens made a given way (e.g. root tokens from generate-root). */
  live(origin: FakeToken['origin']): FakeToken[] {
    return [...this.cluster.tokens.values()].filter((t) => t.origin === origin && !t.revoked);
  }

  // ── plumbing ──

  #elect(): void {
    const cur = this.#nodes.find((n) => n.node.name === this.cluster.active);
    if (cur && !cur.sealed && !cur.down) return;
    this.cluster.active = this.#nodes.find((n) => !n.sealed && !n.down)?.node.name;
  }

  #unsealed(n: NodeState): void {
    n.sealed = false;
    n.unseal = undefined;
    this.#elect();
  }

  async #reach(node: VaultNode, what: string, signal: AbortSignal): Promise<NodeState> {
    this.calls.push(`${what} ${node.name}`);
    const n = this.state(node.name);
    if (signal.aborted) throw new Error(`${node.name}: ${what}: aborted`);
    if (n.down) throw new Error(`${node.name}: ${what}: connect ECONNREFUSED ${node.address}`);
    if (n.hangs)
      await new Promise<never>((_r, reject) =>
        signal.addEventListener(
          'abort',
          () => reject(new Error(`${node.name}: ${what}: no answer`)),
          {
            once: true,
          },
        ),
      );
    return n;
  }

  /** A call that needs an unsealed node; a standby forwards to the active one, as Vault does. */
  async #serving(node: VaultNode, what: string, signal: AbortSignal): Promise<NodeState> {
    const n = await this.#reach(node, what, signal);
    if (!this.cluster.initialized) throw bad('Vault is not initialized');
    if (n.sealed) throw new VaultApiError('Vault is sealed', 503);
    const active = this.#nodes.find((x) => x.node.name === this.cluster.active);
    return active ?? n;
  }

  async #auth(
    node: VaultNode,
    token: Secret,
    what: string,
    signal: AbortSignal,
    root = true,
  ): Promise<FakeToken> {
    await this.#serving(node, what, signal);
    const t = this.cluster.tokens.get(token.reveal());
    if (!t || t.revoked) throw denied();
    if (root && !t.policies.includes('root')) throw denied();
    return t;
  }

  #sealStatus(n: NodeState): SealStatus {
    const c = this.cluster;
    return {
      type: 'shamir',
      initialized: c.initialized,
      sealed: n.sealed,
      t: c.initialized ? c.threshold : 0,
      n: c.initialized ? c.shares.length : 0,
      progress: n.unseal?.got.length ?? 0,
      nonce: n.unseal?.nonce ?? '',
      version: c.version,
    };
  }

  // ── unauthenticated ──

  nodes(): readonly VaultNode[] {
    return this.#nodes.filter((n) => !this.#dr.has(n.node.name)).map((n) => n.node);
  }

  drNodes(): readonly VaultNode[] {
    return this.#nodes.filter((n) => this.#dr.has(n.node.name)).map((n) => n.node);
  }

  async health(node: VaultNode, signal: AbortSignal): Promise<HealthResult> {
    try {
      const n = await this.#reach(node, 'health', signal);
      const c = this.cluster;
      const standby = !n.sealed && c.active !== n.node.name;
      const body: HealthBody = {
        initialized: c.initialized,
        sealed: n.sealed,
        standby: n.sealed ? true : standby,
        version: c.version,
      };
      const code = !c.initialized ? 501 : n.sealed ? 503 : standby ? 429 : 200;
      return { reachable: true, code, body };
    } catch (err) {
      return { reachable: false, error: (err as Error).message };
    }
  }

  async sealStatus(node: VaultNode, signal: AbortSignal): Promise<SealStatus> {
    return this.#sealStatus(await this.#reach(node, 'sealStatus', signal));
  }

  async init(node: VaultNode, req: InitRequest, signal: AbortSignal): Promise<InitResult> {
    await this.#reach(node, 'init', signal);
    const c = this.cluster;
    if (c.initialized) throw bad('Vault is already initialized');
    if (req.secretThreshold > req.secretShares)
      throw bad('invalid seal configuration: threshold cannot be larger than shares');
    if (req.secretShares > 1 && req.secretThreshold < 2)
      throw bad(
        'invalid seal configuration: threshold must be greater than one for multiple shares',
      );
    if (req.pgpKeys && req.pgpKeys.length !== req.secretShares)
      throw bad(
        'invalid seal configuration: count mismatch between number of provided PGP keys and number of shares',
      );
    c.initialized = true;
    this.lastInit = req;
    c.shares = c.newShares(req.secretShares);
    c.threshold = req.secretThreshold;
    const root = c.mint(['root'], 'init');
    if (this.#autoUnseal) for (const x of this.#nodes) this.#unsealed(x);
    // "Encrypted" to a PGP key: marked, so a test can tell, and not a valid share as it stands.
    const b64 = req.pgpKeys
      ? c.shares.map((s) => Buffer.from(`pgp:${s}`).toString('base64'))
      : c.shares.map((s) => Buffer.from(s, 'hex').toString('base64'));
    return {
      keys: c.shares.map(
        (s, i) =>
          new Secret(
            req.pgpKeys ? Buffer.from(b64[i] ?? '', 'base64').toString('hex') : s,
            `share ${i + 1}`,
          ),
      ),
      keysBase64: b64.map((s, i) => new Secret(s, `share ${i + 1}`)),
      rootToken: new Secret(
        req.rootTokenPgpKey ? Buffer.from(`pgp:${root.token}`).toString('base64') : root.token,
        'root token',
      ),
    };
  }

  async unseal(node: VaultNode, key: Secret, signal: AbortSignal): Promise<SealStatus> {
    const n = await this.#reach(node, 'unseal', signal);
    const c = this.cluster;
    if (!c.initialized) throw bad('Vault is not initialized');
    if (!n.sealed) return this.#sealStatus(n);
    const hex = shareHex(key.reveal());
    n.unseal ??= { nonce: c.nonce(), got: [] };
    // Vault takes a share it already holds without an error and without progress.
    if (!n.unseal.got.includes(hex)) n.unseal.got.push(hex);
    if (n.unseal.got.length >= c.threshold) {
      const ok = c.combines(n.unseal.got);
      n.unseal = undefined;
      if (!ok)
        throw bad(
          'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed',
        );
      this.#unsealed(n);
    }
    return this.#sealStatus(n);
  }

  async unsealReset(node: VaultNode, signal: AbortSignal): Promise<SealStatus> {
    const n = await this.#reach(node, 'unsealReset', signal);
    if (!this.cluster.initialized) throw bad('Vault is not initialized');
    n.unseal = undefined;
    return this.#sealStatus(n);
  }

  async leader(node: VaultNode, signal: AbortSignal): Promise<LeaderStatus> {
    const n = await this.#reach(node, 'leader', signal);
    if (n.sealed) throw new VaultApiError('Vault is sealed', 503);
    const active = this.#nodes.find((x) => x.node.name === this.cluster.active);
    return {
      haEnabled: this.#ha,
      isSelf: !this.#ha || active === n,
      leaderAddress: this.#ha ? (active?.node.address ?? '') : '',
      leaderClusterAddress: '',
    };
  }

  // ── generate-root ──

  #grStatus(n: NodeState): GenerateRootStatus {
    const g = n.generateRoot;
    return {
      started: Boolean(g),
      nonce: g?.nonce ?? '',
      progress: g?.got.length ?? 0,
      required: this.cluster.threshold,
      complete: false,
      ...(g?.pgpFingerprint ? { pgpFingerprint: g.pgpFingerprint } : {}),
    };
  }

  async generateRootStatus(node: VaultNode, signal: AbortSignal): Promise<GenerateRootStatus> {
    return this.#grStatus(await this.#serving(node, 'generateRootStatus', signal));
  }

  async generateRootStart(
    node: VaultNode,
    how: GenerateRootStart,
    signal: AbortSignal,
  ): Promise<GenerateRootStarted> {
    const n = await this.#serving(node, 'generateRootStart', signal);
    if (n.generateRoot) throw bad('root generation already in progress');
    const otp =
      how.kind === 'otp'
        ? randomBytes(OTP_LENGTH).toString('base64').slice(0, OTP_LENGTH)
        : undefined;
    n.generateRoot = {
      nonce: this.cluster.nonce(),
      got: [],
      ...(otp ? { otp } : {}),
      ...(how.kind === 'pgp' ? { pgpFingerprint: `fpr-${how.pgpKey.length}` } : {}),
    };
    return { status: this.#grStatus(n), ...(otp ? { otp: new Secret(otp, 'OTP') } : {}) };
  }

  async generateRootUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    otp: Secret | undefined,
    signal: AbortSignal,
  ): Promise<GenerateRootStatus | GenerateRootDone> {
    const n = await this.#serving(node, 'generateRootUpdate', signal);
    const g = n.generateRoot;
    if (!g) throw bad('no root generation in progress');
    if (nonce !== g.nonce) throw bad('incorrect nonce supplied');
    const hex = shareHex(key.reveal());
    if (g.got.includes(hex))
      throw bad('given key has already been provided during this generation operation');
    g.got.push(hex);
    if (g.got.length < this.cluster.threshold) return this.#grStatus(n);
    const ok = this.cluster.combines(g.got);
    // Vault clears the progress, keeps the attempt (same nonce) after a wrong combination.
    g.got = [];
    if (!ok)
      throw bad(
        'root generation aborted: unable to authenticate: cipher: message authentication failed',
      );
    const t = this.cluster.mint(['root'], 'generate-root');
    n.generateRoot = undefined;
    const base = {
      started: false,
      nonce: g.nonce,
      progress: this.cluster.threshold,
      required: this.cluster.threshold,
      complete: true as const,
    };
    if (g.pgpFingerprint)
      return {
        ...base,
        pgpFingerprint: g.pgpFingerprint,
        encryptedToken: new Secret(Buffer.from(`pgp:${t.token}`).toString('base64'), 'root token'),
      };
    // Like Vault, the token comes back XORed with the OTP; only the right OTP gives it back.
    if (!otp || otp.reveal() !== g.otp)
      return { ...base, encryptedToken: new Secret('otp-encoded', 'encoded root token') };
    return { ...base, token: new Secret(t.token, 'root token') };
  }

  async generateRootCancel(node: VaultNode, signal: AbortSignal): Promise<void> {
    const n = await this.#serving(node, 'generateRootCancel', signal);
    n.generateRoot = undefined;
  }

  // ── rekey ──

  #rekeyStatus(r: RekeyAttempt | undefined): RekeyStatus {
    return {
      started: Boolean(r),
      nonce: r?.nonce ?? '',
      t: r?.t ?? 0,
      n: r?.n ?? 0,
      progress: r?.got.length ?? 0,
      required: this.cluster.threshold,
      pgpFingerprints: r?.pgp ?? [],
      verificationRequired: r?.requireVerification ?? false,
      ...(r?.verification ? { verificationNonce: r.verification.nonce } : {}),
    };
  }

  async rekeyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyStatus> {
    return this.#rekeyStatus((await this.#serving(node, 'rekeyStatus', signal)).rekey);
  }

  async rekeyStart(node: VaultNode, req: RekeyRequest, signal: AbortSignal): Promise<RekeyStatus> {
    const n = await this.#serving(node, 'rekeyStart', signal);
    if (n.rekey) throw bad('rekey already in progress');
    if (req.threshold > req.shares)
      throw bad('invalid seal configuration: threshold cannot be larger than shares');
    if (req.shares > 1 && req.threshold < 2)
      throw bad(
        'invalid seal configuration: threshold must be greater than one for multiple shares',
      );
    if (req.pgpKeys && req.pgpKeys.length !== req.shares)
      throw bad(
        'invalid seal configuration: count mismatch between number of provided PGP keys and number of shares',
      );
    n.rekey = {
      nonce: this.cluster.nonce(),
      got: [],
      n: req.shares,
      t: req.threshold,
      pgp: req.pgpKeys?.map((_, i) => `fpr${i}`) ?? [],
      requireVerification: req.requireVerification ?? false,
    };
    return this.#rekeyStatus(n.rekey);
  }

  async rekeyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyStatus | RekeyResult> {
    const n = await this.#serving(node, 'rekeyUpdate', signal);
    const r = n.rekey;
    if (!r) throw bad('no rekey in progress');
    if (r.verification) throw bad('rekey verification in progress, use the verify endpoint');
    if (nonce !== r.nonce) throw bad('incorrect nonce supplied');
    const hex = shareHex(key.reveal());
    if (r.got.includes(hex))
      throw bad('given key has already been provided during this rekey operation');
    r.got.push(hex);
    if (r.got.length < this.cluster.threshold) return this.#rekeyStatus(r);
    const ok = this.cluster.combines(r.got);
    r.got = [];
    if (!ok) throw bad('rekey verification failed: cipher: message authentication failed');
    const shares = this.cluster.newShares(r.n);
    this.newShares = shares;
    const out = r.pgp.length
      ? shares.map((s) => Buffer.from(`pgp:${s}`).toString('base64'))
      : shares;
    if (r.requireVerification) {
      r.verification = { nonce: this.cluster.nonce(), got: [], shares };
    } else {
      n.rekey = undefined;
      if (!this.faults.rekeyNotApplied) {
        this.cluster.shares = shares;
        this.cluster.threshold = r.t;
      }
    }
    return {
      complete: true,
      nonce: r.nonce,
      keys: out.map((k, i) => new Secret(k, `new share ${i + 1}`)),
      pgpFingerprints: r.pgp,
      ...(r.verification ? { verificationNonce: r.verification.nonce } : {}),
    };
  }

  async rekeyCancel(node: VaultNode, signal: AbortSignal): Promise<void> {
    (await this.#serving(node, 'rekeyCancel', signal)).rekey = undefined;
  }

  async rekeyVerifyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyVerifyStatus> {
    const r = (await this.#serving(node, 'rekeyVerifyStatus', signal)).rekey;
    if (!r?.verification) throw bad('no rekey configuration found');
    return { nonce: r.verification.nonce, progress: r.verification.got.length, t: r.t, n: r.n };
  }

  async rekeyVerifyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyVerifyUpdate> {
    const n = await this.#serving(node, 'rekeyVerifyUpdate', signal);
    const r = n.rekey;
    const v = r?.verification;
    if (!r || !v) throw bad('no rekey configuration found');
    if (nonce !== v.nonce) throw bad('incorrect nonce supplied');
    const hex = shareHex(key.reveal());
    if (v.got.includes(hex))
      throw bad('given key has already been provided during this verify operation');
    v.got.push(hex);
    if (v.got.length < r.t) return { complete: false, progress: v.got.length };
    const ok = v.got.every((k) => v.shares.includes(k));
    v.got = [];
    if (!ok) {
      v.nonce = this.cluster.nonce();
      throw bad('rekey verification failed; incorrect key shares supplied');
    }
    this.cluster.shares = v.shares;
    this.cluster.threshold = r.t;
    n.rekey = undefined;
    return { complete: true };
  }

  // ── authenticated ──

  async seal(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    await this.#auth(node, token, 'seal', signal);
    this.crash(node.name);
  }

  async stepDownForFailover(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    await this.#auth(node, token, 'stepDownForFailover', signal);
    const next = this.#nodes.find((n) => !n.sealed && !n.down && n.node.name !== node.name);
    if (next && this.cluster.active === node.name) this.cluster.active = next.node.name;
  }

  async mounts(node: VaultNode, token: Secret, signal: AbortSignal): Promise<readonly Mount[]> {
    await this.#auth(node, token, 'mounts', signal);
    return [...this.cluster.mounts].map(([path, m]) => ({
      path,
      type: m.type,
      uuid: m.uuid,
      ...(m.version ? { version: m.version } : {}),
    }));
  }

  async mountEnable(
    node: VaultNode,
    token: Secret,
    path: string,
    req: MountRequest,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#auth(node, token, 'mountEnable', signal);
    const p = `${path.replace(/^\/+|\/+$/g, '')}/`;
    if (this.cluster.mounts.has(p)) throw bad(`path is already in use at ${p}`);
    const version = req.type === 'kv' ? (req.version ?? '1') : req.version;
    this.cluster.mounts.set(p, {
      type: req.type,
      uuid: randomUUID(),
      ...(version ? { version } : {}),
    });
    if (req.type === 'kv') this.cluster.kv.set(p, new Map());
  }

  async auditDevices(
    node: VaultNode,
    token: Secret,
    signal: AbortSignal,
  ): Promise<readonly AuditDevice[]> {
    await this.#auth(node, token, 'auditDevices', signal);
    return [...this.cluster.audit].map(([p, d]) => ({
      path: `${p}/`,
      type: d.type,
      options: { ...d.options },
    }));
  }

  async auditEnableFile(
    node: VaultNode,
    token: Secret,
    path: string,
    filePath: string,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#auth(node, token, 'auditEnableFile', signal);
    if (this.cluster.audit.has(path)) throw bad(`path already in use`);
    this.cluster.audit.set(path, {
      type: 'file',
      options: { file_path: filePath },
      salt: randomBytes(16).toString('hex'),
    });
  }

  /** What journalSeal wrote, as the audit log would show it: the path, with the token's accessor. */
  readonly journalSeals: { path: string; accessor: string }[] = [];

  async journalSeal(
    node: VaultNode,
    token: Secret,
    runId: string,
    hash: string,
    signal: AbortSignal,
  ): Promise<{ path: string }> {
    // Any live token may write its own cubbyhole (the default policy).
    const t = await this.#auth(node, token, 'journalSeal', signal, false);
    const path = journalSealPath(runId, hash);
    this.journalSeals.push({ path, accessor: t.accessor });
    return { path };
  }

  async auditHash(
    node: VaultNode,
    token: Secret,
    path: string,
    input: string,
    signal: AbortSignal,
  ): Promise<string> {
    await this.#auth(node, token, 'auditHash', signal);
    return this.cluster.auditHash(path, input);
  }

  async policyWrite(
    node: VaultNode,
    token: Secret,
    name: string,
    hcl: string,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#auth(node, token, 'policyWrite', signal);
    if (name === 'root') throw bad('cannot update "root" policy');
    this.cluster.policies.set(name, hcl);
  }

  async tokenCreate(
    node: VaultNode,
    token: Secret,
    req: TokenCreateRequest,
    signal: AbortSignal,
  ): Promise<TokenCreated> {
    const parent = await this.#auth(node, token, 'tokenCreate', signal);
    // Vault adds the default policy unless asked not to.
    const policies = [...new Set(['default', ...req.policies])].sort();
    const t = this.cluster.mint(policies, 'create', {
      orphan: req.orphan ?? false,
      parent: parent.token,
      ttl: 3600,
      displayName: `token${req.displayName ? `-${req.displayName}` : ''}`,
    });
    return { token: new Secret(t.token, 'token'), accessor: t.accessor, policies };
  }

  #info(t: FakeToken): TokenInfo {
    return {
      accessor: t.accessor,
      policies: t.policies,
      ttl: t.ttl,
      orphan: t.orphan,
      displayName: t.displayName,
    };
  }

  async tokenLookupSelf(node: VaultNode, token: Secret, signal: AbortSignal): Promise<TokenInfo> {
    return this.#info(await this.#auth(node, token, 'tokenLookupSelf', signal, false));
  }

  async tokenLookupAccessor(
    node: VaultNode,
    token: Secret,
    accessor: string,
    signal: AbortSignal,
  ): Promise<TokenInfo> {
    await this.#auth(node, token, 'tokenLookupAccessor', signal);
    const t = [...this.cluster.tokens.values()].find((x) => x.accessor === accessor && !x.revoked);
    if (!t) throw bad('invalid accessor');
    return this.#info(t);
  }

  async tokenAccessors(
    node: VaultNode,
    token: Secret,
    signal: AbortSignal,
  ): Promise<readonly string[]> {
    await this.#auth(node, token, 'tokenAccessors', signal);
    return [...this.cluster.tokens.values()].filter((t) => !t.revoked).map((t) => t.accessor);
  }

  async tokenRevokeSelf(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void> {
    const t = await this.#auth(node, token, 'tokenRevokeSelf', signal, false);
    if (this.faults.revokeFails) throw new VaultApiError('internal error', 500);
    if (!this.faults.revokeIsNoop) this.cluster.revoke(t);
  }

  async tokenRevokeAccessor(
    node: VaultNode,
    token: Secret,
    accessor: string,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#auth(node, token, 'tokenRevokeAccessor', signal);
    if (this.faults.revokeFails) throw new VaultApiError('internal error', 500);
    const t = [...this.cluster.tokens.values()].find((x) => x.accessor === accessor && !x.revoked);
    if (!t) throw bad('invalid accessor');
    this.cluster.revoke(t);
  }

  #kv(at: Omit<KvPath, 'kv'>) {
    const m = this.cluster.mounts.get(`${at.mount.replace(/^\/+|\/+$/g, '')}/`);
    const store = this.cluster.kv.get(`${at.mount.replace(/^\/+|\/+$/g, '')}/`);
    if (!m || !store) throw new VaultApiError(`no handler for route "${at.mount}/${at.path}"`, 404);
    return { store, v2: m.version === '2' };
  }

  async kvRead(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    signal: AbortSignal,
    version?: number,
  ): Promise<KvSecret | undefined> {
    await this.#auth(node, token, 'kvRead', signal);
    const { store } = this.#kv(at);
    const e = store.get(at.path);
    if (!e) return undefined;
    const n = version ?? e.versions.length;
    const v = e.versions[n - 1];
    if (!v || v.deleted || v.destroyed) return undefined;
    const data = Object.fromEntries(
      Object.entries(v.data).map(([k, x]) => [k, new Secret(x, `${at.mount}/${at.path}:${k}`)]),
    );
    return at.kv === 2 ? { data, version: n } : { data };
  }

  async kvWrite(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    data: Readonly<Record<string, Secret | string>>,
    signal: AbortSignal,
    cas?: number,
  ): Promise<{ version?: number }> {
    await this.#auth(node, token, 'kvWrite', signal);
    const { store } = this.#kv(at);
    const plain = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : v.reveal()]),
    );
    const e = store.get(at.path) ?? { versions: [] };
    if (at.kv === 2 && cas !== undefined && cas !== e.versions.length)
      throw bad('check-and-set parameter did not match the current version');
    const entry = { data: plain, created: new Date().toISOString(), deleted: '', destroyed: false };
    if (at.kv === 1) e.versions = [entry];
    else e.versions.push(entry);
    store.set(at.path, e);
    return at.kv === 2 ? { version: e.versions.length } : {};
  }

  async kvMetadata(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    signal: AbortSignal,
  ): Promise<KvMetadata | undefined> {
    await this.#auth(node, token, 'kvMetadata', signal);
    const e = this.#kv(at).store.get(at.path);
    if (!e) return undefined;
    return {
      currentVersion: e.versions.length,
      oldestVersion: 0,
      versions: e.versions.map((v, i) => ({
        version: i + 1,
        createdTime: v.created,
        deletionTime: v.deleted,
        destroyed: v.destroyed,
      })),
    };
  }
  /** Like Vault's KV v2: only a v2 mount has these routes; a missing secret is a no-op. */
  async #kvVersions(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    op: 'kvDelete' | 'kvUndelete' | 'kvDestroy',
    versions: readonly number[] | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#auth(node, token, op, signal);
    const { store, v2 } = this.#kv(at);
    if (!v2) throw new VaultApiError(`no handler for route "${at.mount}/${at.path}"`, 405);
    const e = store.get(at.path);
    if (!e) return;
    if (op !== 'kvDelete' && (!versions || versions.length === 0))
      throw bad('no version number provided');
    for (const n of versions ?? [e.versions.length]) {
      const v = e.versions[n - 1];
      if (!v || v.destroyed) continue;
      if (op === 'kvDelete') v.deleted ||= new Date().toISOString();
      else if (op === 'kvUndelete') v.deleted = '';
      else v.destroyed = true;
    }
  }

  kvDelete(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    signal: AbortSignal,
    versions?: readonly number[],
  ): Promise<void> {
    return this.#kvVersions(node, token, at, 'kvDelete', versions, signal);
  }

  kvUndelete(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    versions: readonly number[],
    signal: AbortSignal,
  ): Promise<void> {
    return this.#kvVersions(node, token, at, 'kvUndelete', versions, signal);
  }

  kvDestroy(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    versions: readonly number[],
    signal: AbortSignal,
  ): Promise<void> {
    return this.#kvVersions(node, token, at, 'kvDestroy', versions, signal);
  }
}
