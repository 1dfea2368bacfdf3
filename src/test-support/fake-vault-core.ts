import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { VaultApiError, type VaultNode } from '../engine/vault.js';

/**
 * The state behind FakeVault: what one Vault cluster keeps in storage (shares, tokens, mounts,
 * KV, audit devices) and what each node keeps in memory (sealed, unseal progress, attempts).
 * No real crypto: a share is valid when it is one of the shares issued; Vault's rules about
 * thresholds, nonces, duplicates, malformed input and sealed nodes are kept.
 */

export const bad = (msg: string): VaultApiError => new VaultApiError(msg, 400);
export const denied = (): VaultApiError => new VaultApiError('permission denied', 403);

/** A share's key bytes as hex, the way sys/unseal reads it (hex first, then base64). */
export function shareHex(share: string): string {
  const t = share.trim();
  if (t.length > 0 && t.length % 2 === 0 && /^[0-9a-f]+$/i.test(t)) return t.toLowerCase();
  if (t.length > 0 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t))
    return Buffer.from(t, 'base64').toString('hex');
  throw bad("'key' must be a valid hex or base64 string");
}

export interface FakeToken {
  readonly token: string;
  readonly accessor: string;
  readonly policies: string[];
  readonly orphan: boolean;
  readonly parent?: string;
  readonly origin: 'init' | 'generate-root' | 'create';
  readonly ttl: number;
  readonly displayName: string;
  revoked: boolean;
}

export interface Attempt {
  nonce: string;
  got: string[];
}

export interface RekeyAttempt extends Attempt {
  n: number;
  t: number;
  pgp: string[];
  requireVerification: boolean;
  /** Set once the new shares exist and wait for verification. */
  verification?: { nonce: string; got: string[]; shares: string[] };
}

export interface NodeState {
  readonly node: VaultNode;
  sealed: boolean;
  down: boolean;
  /** Accepts the connection and never answers: calls wait for their signal. */
  hangs: boolean;
  unseal: { nonce: string; got: string[] } | undefined;
  generateRoot: (Attempt & { otp?: string; pgpFingerprint?: string }) | undefined;
  rekey: RekeyAttempt | undefined;
}

export interface KvEntry {
  versions: {
    data: Record<string, string>;
    created: string;
    deleted: string;
    destroyed: boolean;
  }[];
}

export class ClusterState {
  initialized = false;
  /** Valid shares, hex. */
  shares: string[] = [];
  threshold = 0;
  version = '1.14.8';
  readonly tokens = new Map<string, FakeToken>();
  readonly mounts = new Map<string, { type: string; uuid: string; version?: string }>([
    ['cubbyhole/', { type: 'cubbyhole', uuid: randomUUID() }],
    ['identity/', { type: 'identity', uuid: randomUUID() }],
    ['sys/', { type: 'system', uuid: randomUUID() }],
  ]);
  readonly audit = new Map<
    string,
    { type: string; options: Record<string, string>; salt: string }
  >();
  readonly policies = new Map<string, string>();
  /** mount path (with slash) → secret path → entry */
  readonly kv = new Map<string, Map<string, KvEntry>>();
  active: string | undefined;
  #seq = 0;

  nonce(): string {
    return `nonce-${++this.#seq}`;
  }

  newShares(n: number): string[] {
    return Array.from({ length: n }, () => randomBytes(33).toString('hex'));
  }

  mint(
    policies: string[],
    origin: FakeToken['origin'],
    opts: { orphan?: boolean; parent?: string; ttl?: number; displayName?: string } = {},
  ): FakeToken {
    const token = `hvs.${randomBytes(18).toString('base64url').slice(0, 24)}`;
    const t: FakeToken = {
      token,
      accessor: randomBytes(12).toString('base64url'),
      policies,
      orphan: opts.orphan ?? true,
      ...(opts.parent ? { parent: opts.parent } : {}),
      origin,
      ttl: opts.ttl ?? 0,
      displayName: opts.displayName ?? (policies.includes('root') ? 'root' : 'token'),
      revoked: false,
    };
    this.tokens.set(token, t);
    return t;
  }

  /** Revokes a token and, like Vault, every non-orphan token below it. */
  revoke(t: FakeToken): void {
    t.revoked = true;
    for (const c of this.tokens.values())
      if (!c.revoked && !c.orphan && c.parent === t.token) this.revoke(c);
  }

  auditHash(path: string, input: string): string {
    const d = this.audit.get(path);
    if (!d) throw bad(`unknown audit backend ${path}`);
    return `hmac-sha256:${createHmac('sha256', d.salt).update(input).digest('hex')}`;
  }

  /** The valid-share check at a threshold: every share given must be one issued. */
  combines(got: readonly string[]): boolean {
    return got.every((k) => this.shares.includes(k));
  }
}
