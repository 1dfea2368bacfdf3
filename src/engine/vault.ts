import type { HealthBody } from '../domain/health.js';
import type { Secret } from '../domain/secret.js';

/**
 * The Vault port: typed calls in the domain's words. Shares, tokens and OTPs travel as `Secret`;
 * only adapters reveal them. Calls without a `token` parameter are unauthenticated and never
 * carry one. Every call takes the caller's AbortSignal; the adapter adds its own deadline.
 */

/** One Vault server the profile knows: a name for people and the API address. */
export interface VaultNode {
  readonly name: string;
  readonly address: string;
}

export type HealthResult =
  | { readonly reachable: true; readonly code: number; readonly body: HealthBody }
  | { readonly reachable: false; readonly error: string };

export interface SealStatus {
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly t: number;
  readonly n: number;
  readonly progress: number;
  readonly nonce: string;
  readonly version: string;
  readonly type?: string;
  readonly clusterName?: string;
}

export interface InitRequest {
  readonly secretShares: number;
  readonly secretThreshold: number;
  /** Base64 of each keyholder's binary public key, in share order. */
  readonly pgpKeys?: readonly string[];
  readonly rootTokenPgpKey?: string;
}

export interface InitResult {
  /** Shares as Vault returned them: hex, or base64 PGP messages when pgp_keys were given. */
  readonly keys: readonly Secret[];
  readonly keysBase64: readonly Secret[];
  readonly rootToken: Secret;
}

export interface LeaderStatus {
  readonly haEnabled: boolean;
  readonly isSelf: boolean;
  readonly leaderAddress: string;
  readonly leaderClusterAddress: string;
}

export interface GenerateRootStatus {
  readonly started: boolean;
  readonly nonce: string;
  readonly progress: number;
  readonly required: number;
  readonly complete: boolean;
  /** Fingerprint of the PGP key the token is encrypted to (PGP attempts). */
  readonly pgpFingerprint?: string;
}

/** How the new root token comes back: XORed with an OTP Vault makes, or encrypted to a PGP key. */
export type GenerateRootStart =
  { readonly kind: 'otp' } | { readonly kind: 'pgp'; readonly pgpKey: string };

export interface GenerateRootStarted {
  readonly status: GenerateRootStatus;
  /** OTP attempts: the one-time pad; pass it back to `generateRootUpdate` to get the token. */
  readonly otp?: Secret;
}

/** The last share was accepted: the root token (OTP attempts) or its PGP message (base64). */
export interface GenerateRootDone extends GenerateRootStatus {
  readonly complete: true;
  readonly token?: Secret;
  readonly encryptedToken?: Secret;
}

export interface RekeyStatus {
  readonly started: boolean;
  readonly nonce: string;
  readonly t: number;
  readonly n: number;
  readonly progress: number;
  readonly required: number;
  readonly pgpFingerprints: readonly string[];
  readonly verificationRequired: boolean;
  /** Set once the new shares exist and wait for keyholders to enter them again. */
  readonly verificationNonce?: string;
}

export interface RekeyRequest {
  readonly shares: number;
  readonly threshold: number;
  /** Base64 of each keyholder's binary public key, in share order. */
  readonly pgpKeys?: readonly string[];
  /** The new shares replace the old only once a threshold of them is entered again. */
  readonly requireVerification?: boolean;
}

export interface RekeyResult {
  readonly complete: true;
  readonly nonce: string;
  /** Hex shares, or base64 PGP messages when PGP keys were given. */
  readonly keys: readonly Secret[];
  readonly pgpFingerprints: readonly string[];
  /** Set with require_verification: the old shares stay valid until verification completes. */
  readonly verificationNonce?: string;
}

export interface RekeyVerifyStatus {
  readonly nonce: string;
  readonly progress: number;
  readonly t: number;
  readonly n: number;
}

export type RekeyVerifyUpdate =
  { readonly complete: true } | { readonly complete: false; readonly progress: number };

export interface Mount {
  /** With its trailing slash, as Vault lists it: `secret/`. */
  readonly path: string;
  readonly type: string;
  /** Storage lives under `logical/<uuid>/` (DESIGN §8). */
  readonly uuid: string;
  /** KV's `options.version`, when set. */
  readonly version?: string;
}

export interface MountRequest {
  readonly type: string;
  readonly version?: string;
  readonly description?: string;
}

export interface AuditDevice {
  readonly path: string;
  readonly type: string;
  readonly options: Readonly<Record<string, string>>;
}

export interface TokenCreateRequest {
  readonly policies: readonly string[];
  readonly ttl?: string;
  /** No parent: revoking the creating token does not revoke this one. */
  readonly orphan?: boolean;
  readonly renewable?: boolean;
  readonly displayName?: string;
  readonly meta?: Readonly<Record<string, string>>;
}

export interface TokenCreated {
  readonly token: Secret;
  readonly accessor: string;
  readonly policies: readonly string[];
}

export interface TokenInfo {
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly ttl: number;
  readonly orphan: boolean;
  readonly displayName: string;
}

/** A KV path: the mount (`secret`), the path below it, and the engine version. */
export interface KvPath {
  readonly mount: string;
  readonly path: string;
  readonly kv: 1 | 2;
}

export interface KvSecret {
  /** Every value is a Secret (non-string values as their JSON). */
  readonly data: Readonly<Record<string, Secret>>;
  /** KV v2: the version read. */
  readonly version?: number;
}

export interface KvVersionInfo {
  readonly version: number;
  readonly createdTime: string;
  readonly deletionTime: string;
  readonly destroyed: boolean;
}

export interface KvMetadata {
  readonly currentVersion: number;
  readonly oldestVersion: number;
  readonly versions: readonly KvVersionInfo[];
}

export interface VaultPort {
  /**
   * Set when the profile's loud override (`vault.tls.insecure_override`) let this client use
   * http:// or skip TLS verification: every Vault step and every status says so.
   */
  readonly insecure?: string | undefined;
  nodes(): readonly VaultNode[];
  /**
   * Finds the nodes again when the profile discovers them from the ASG (replacements get new
   * addresses): called at each status poll, before each step and on each pass of a long step.
   * Absent, or a no-op, for a fixed list.
   */
  refresh?(signal: AbortSignal): Promise<void>;
  /**
   * The DR region's nodes (profile `vault.dr_addresses`, named dr-node-1…): not part of the
   * serving cluster until a failover promotes them. Empty when the profile names none.
   */
  drNodes(): readonly VaultNode[];
  /** Releases what the client holds open (pooled connections); later calls fail. */
  close?(): void;

  // ── unauthenticated: these never carry a token ──
  health(
    node: VaultNode,
    signal: AbortSignal,
    query?: Readonly<Record<string, string | number | boolean>>,
  ): Promise<HealthResult>;
  sealStatus(node: VaultNode, signal: AbortSignal): Promise<SealStatus>;
  init(node: VaultNode, req: InitRequest, signal: AbortSignal): Promise<InitResult>;
  unseal(node: VaultNode, key: Secret, signal: AbortSignal): Promise<SealStatus>;
  unsealReset(node: VaultNode, signal: AbortSignal): Promise<SealStatus>;
  leader(node: VaultNode, signal: AbortSignal): Promise<LeaderStatus>;

  generateRootStatus(node: VaultNode, signal: AbortSignal): Promise<GenerateRootStatus>;
  generateRootStart(
    node: VaultNode,
    how: GenerateRootStart,
    signal: AbortSignal,
  ): Promise<GenerateRootStarted>;
  /** `otp` (from the start) decodes the token once the last share is in. */
  generateRootUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    otp: Secret | undefined,
    signal: AbortSignal,
  ): Promise<GenerateRootStatus | GenerateRootDone>;
  generateRootCancel(node: VaultNode, signal: AbortSignal): Promise<void>;

  rekeyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyStatus>;
  rekeyStart(node: VaultNode, req: RekeyRequest, signal: AbortSignal): Promise<RekeyStatus>;
  rekeyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyStatus | RekeyResult>;
  rekeyCancel(node: VaultNode, signal: AbortSignal): Promise<void>;
  /** Rejects (400) when no rekey waits for verification. */
  rekeyVerifyStatus(node: VaultNode, signal: AbortSignal): Promise<RekeyVerifyStatus>;
  rekeyVerifyUpdate(
    node: VaultNode,
    key: Secret,
    nonce: string,
    signal: AbortSignal,
  ): Promise<RekeyVerifyUpdate>;

  // ── authenticated: the token goes to this call only ──
  seal(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void>;
  /**
   * sys/step-down: hands leadership to a standby. Failover drills only — an upgrade must never
   * call it (Vault PR #24457; a newer node could hand leadership back to an older one).
   */
  stepDownForFailover(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void>;

  mounts(node: VaultNode, token: Secret, signal: AbortSignal): Promise<readonly Mount[]>;
  mountEnable(
    node: VaultNode,
    token: Secret,
    path: string,
    req: MountRequest,
    signal: AbortSignal,
  ): Promise<void>;

  auditDevices(
    node: VaultNode,
    token: Secret,
    signal: AbortSignal,
  ): Promise<readonly AuditDevice[]>;
  auditEnableFile(
    node: VaultNode,
    token: Secret,
    path: string,
    filePath: string,
    signal: AbortSignal,
  ): Promise<void>;
  /**
   * Leaves a journal's final hash in Vault's audit log in clear: a read of the token's own
   * cubbyhole whose request *path* carries the run id and the hash (audit devices HMAC request
   * bodies and tokens, never the path). Needs only the default policy's cubbyhole access, and
   * stores nothing (the path holds nothing: Vault's 404 is the expected answer).
   */
  journalSeal(
    node: VaultNode,
    token: Secret,
    runId: string,
    hash: string,
    signal: AbortSignal,
  ): Promise<{ readonly path: string }>;
  /** sys/audit-hash: the HMAC the audit device `path` would log for `input`. */
  auditHash(
    node: VaultNode,
    token: Secret,
    path: string,
    input: string,
    signal: AbortSignal,
  ): Promise<string>;

  policyWrite(
    node: VaultNode,
    token: Secret,
    name: string,
    hcl: string,
    signal: AbortSignal,
  ): Promise<void>;

  tokenCreate(
    node: VaultNode,
    token: Secret,
    req: TokenCreateRequest,
    signal: AbortSignal,
  ): Promise<TokenCreated>;
  /** Rejects with status 403 when the token is not (or no longer) valid. */
  tokenLookupSelf(node: VaultNode, token: Secret, signal: AbortSignal): Promise<TokenInfo>;
  tokenLookupAccessor(
    node: VaultNode,
    token: Secret,
    accessor: string,
    signal: AbortSignal,
  ): Promise<TokenInfo>;
  /** Every token's accessor (LIST auth/token/accessors; needs sudo, e.g. a root token). */
  tokenAccessors(node: VaultNode, token: Secret, signal: AbortSignal): Promise<readonly string[]>;
  tokenRevokeSelf(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void>;
  tokenRevokeAccessor(
    node: VaultNode,
    token: Secret,
    accessor: string,
    signal: AbortSignal,
  ): Promise<void>;

  /** undefined when nothing is stored at the path (or its latest version is deleted). */
  kvRead(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    signal: AbortSignal,
    version?: number,
  ): Promise<KvSecret | undefined>;
  /** KV v2: the new version; `cas` makes the write conditional on the current version. */
  kvWrite(
    node: VaultNode,
    token: Secret,
    at: KvPath,
    data: Readonly<Record<string, Secret | string>>,
    signal: AbortSignal,
    cas?: number,
  ): Promise<{ version?: number }>;
  kvMetadata(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    signal: AbortSignal,
  ): Promise<KvMetadata | undefined>;
  /**
   * KV v2 soft delete (`vault kv delete`): the latest version, or the versions named. The data
   * stays until destroyed; `kvUndelete` brings it back.
   */
  kvDelete(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    signal: AbortSignal,
    versions?: readonly number[],
  ): Promise<void>;
  /** KV v2 undelete of soft-deleted versions; a destroyed version stays gone (Vault ignores it). */
  kvUndelete(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    versions: readonly number[],
    signal: AbortSignal,
  ): Promise<void>;
  /** KV v2 destroy: the versions' data is removed for good (metadata keeps `destroyed: true`). */
  kvDestroy(
    node: VaultNode,
    token: Secret,
    at: Omit<KvPath, 'kv'>,
    versions: readonly number[],
    signal: AbortSignal,
  ): Promise<void>;
}

/**
 * The path whose read carries a journal's final hash (see VaultPort.journalSeal). Both parts are checked so
 * the path can only ever be this one place in the token's cubbyhole.
 */
export function journalSealPath(runId: string, hash: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(runId)) throw new Error(`not a run id: ${runId}`);
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error('not a journal hash (64 hex digits)');
  return `cubbyhole/vault-runbook/journal/${runId}/${hash}`;
}

export class VaultApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'VaultApiError';
    this.status = status;
  }
}

/** A 403: the token is unknown, revoked or lacks the policy. */
export const isPermissionDenied = (err: unknown): boolean =>
  err instanceof VaultApiError && err.status === 403;
