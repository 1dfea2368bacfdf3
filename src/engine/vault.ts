import type { HealthBody } from '../domain/health.js';
import type { Secret } from '../domain/secret.js';

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

/** The Vault API the actions use. Tokens and shares travel as Secret; only the adapter reveals them. */
export interface VaultPort {
  nodes(): readonly VaultNode[];
  health(
    node: VaultNode,
    signal: AbortSignal,
    query?: Readonly<Record<string, string | number | boolean>>,
  ): Promise<HealthResult>;
  sealStatus(node: VaultNode, signal: AbortSignal): Promise<SealStatus>;
  init(node: VaultNode, req: InitRequest, signal: AbortSignal): Promise<InitResult>;
  unseal(node: VaultNode, key: Secret, signal: AbortSignal): Promise<SealStatus>;
  unsealReset(node: VaultNode, signal: AbortSignal): Promise<SealStatus>;
  seal(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void>;
  stepDown(node: VaultNode, token: Secret, signal: AbortSignal): Promise<void>;
  leader(node: VaultNode, signal: AbortSignal): Promise<LeaderStatus>;
  /** Generic authenticated call for the less common endpoints (mounts, audit, tokens, kv…). */
  request(
    node: VaultNode,
    req: {
      method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST';
      path: string;
      body?: unknown;
      token?: Secret;
    },
    signal: AbortSignal,
  ): Promise<unknown>;
}

export class VaultApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'VaultApiError';
    this.status = status;
  }
}
