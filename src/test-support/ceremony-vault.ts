import { randomBytes } from 'node:crypto';
import { Secret } from '../domain/secret.js';
import {
  VaultApiError,
  type InitRequest,
  type SealStatus,
  type VaultNode,
  type VaultPort,
} from '../engine/vault.js';

interface TokenInfo {
  policies: string[];
  accessor: string;
  revoked: boolean;
  orphan: boolean;
}

/**
 * Vault in miniature for the ceremony actions: init once (PGP keys recorded), tokens with
 * policies and revocation, audit devices, ACL policies. Sealing is not modelled.
 */
export class CeremonyVault implements VaultPort {
  readonly calls: string[] = [];
  initialized = false;
  initRequest: InitRequest | undefined;
  shares: string[] = [];
  readonly tokens = new Map<string, TokenInfo>();
  readonly audit = new Map<string, { type: string; options: Record<string, unknown> }>();
  readonly policies = new Map<string, string>();
  readonly tokenBodies: Record<string, unknown>[] = [];
  /** Make revoke-self a no-op, to see the action notice. */
  brokenRevoke = false;
  readonly #nodes: VaultNode[];

  constructor(names: readonly string[] = ['node-1']) {
    this.#nodes = names.map((name) => ({ name, address: `https://${name}:8200` }));
  }

  nodes(): readonly VaultNode[] {
    return this.#nodes;
  }
  #status(): SealStatus {
    const n = this.initRequest?.secretShares ?? 0;
    return {
      initialized: this.initialized,
      sealed: true,
      t: this.initRequest?.secretThreshold ?? 0,
      n,
      progress: 0,
      nonce: '',
      version: '1.14.8',
    };
  }
  health() {
    return Promise.resolve({
      reachable: true as const,
      code: this.initialized ? 200 : 501,
      body: { initialized: this.initialized, sealed: false },
    });
  }
  sealStatus(): Promise<SealStatus> {
    return Promise.resolve(this.#status());
  }
  init(node: VaultNode, req: InitRequest) {
    this.calls.push(`init ${node.name}`);
    if (this.initialized)
      return Promise.reject(new VaultApiError('Vault is already initialized', 400));
    this.initialized = true;
    this.initRequest = req;
    this.shares = Array.from({ length: req.secretShares }, () => randomBytes(33).toString('hex'));
    const b64 = req.pgpKeys
      ? this.shares.map((s) => Buffer.from(`pgp:${s}`).toString('base64'))
      : this.shares.map((s) => Buffer.from(s, 'hex').toString('base64'));
    const root = `hvs.root${randomBytes(10).toString('hex')}`;
    this.tokens.set(root, {
      policies: ['root'],
      accessor: 'acc-root',
      revoked: false,
      orphan: true,
    });
    return Promise.resolve({
      keys: this.shares.map(
        (s, i) => new Secret(req.pgpKeys ? Buffer.from(b64[i] ?? '', 'base64').toString('hex') : s),
      ),
      keysBase64: b64.map((s) => new Secret(s)),
      rootToken: new Secret(root, 'root token'),
    });
  }
  unseal(): Promise<SealStatus> {
    return Promise.reject(new Error('n/a'));
  }
  unsealReset(): Promise<SealStatus> {
    return Promise.resolve(this.#status());
  }
  seal(): Promise<void> {
    return Promise.reject(new Error('n/a'));
  }
  stepDown(): Promise<void> {
    return Promise.reject(new Error('n/a'));
  }
  leader(): Promise<never> {
    return Promise.reject(new Error('n/a'));
  }
  request(
    _node: VaultNode,
    req: { method: string; path: string; body?: unknown; token?: Secret },
  ): Promise<unknown> {
    const path = req.path.replace(/^\/+/, '');
    this.calls.push(`${req.method} ${path}`);
    const t = req.token ? this.tokens.get(req.token.reveal()) : undefined;
    if (!t || t.revoked)
      return Promise.reject(new VaultApiError(`${path}: permission denied`, 403));
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (path === 'sys/audit' && req.method === 'GET')
      return Promise.resolve({
        data: Object.fromEntries([...this.audit].map(([k, v]) => [`${k}/`, v])),
      });
    if (path.startsWith('sys/audit/')) {
      this.audit.set(
        path.slice('sys/audit/'.length),
        body as { type: string; options: Record<string, unknown> },
      );
      return Promise.resolve({});
    }
    if (path.startsWith('sys/policies/acl/')) {
      this.policies.set(path.slice('sys/policies/acl/'.length), String(body.policy));
      return Promise.resolve({});
    }
    if (path === 'auth/token/create') {
      this.tokenBodies.push(body);
      const tok = `hvs.op${randomBytes(10).toString('hex')}`;
      this.tokens.set(tok, {
        policies: body.policies as string[],
        accessor: `acc-${this.tokens.size}`,
        revoked: false,
        orphan: body.no_parent === true,
      });
      return Promise.resolve({
        auth: { client_token: tok, accessor: `acc-${this.tokens.size - 1}` },
      });
    }
    if (path === 'auth/token/lookup-self')
      return Promise.resolve({ data: { policies: t.policies, accessor: t.accessor } });
    if (path === 'auth/token/revoke-self') {
      if (!this.brokenRevoke) {
        t.revoked = true;
        // Revoking a token revokes its children; orphans survive.
        for (const o of this.tokens.values()) if (!o.orphan) o.revoked = true;
      }
      return Promise.resolve({});
    }
    return Promise.reject(new VaultApiError(`${path}: unsupported in the fake`, 404));
  }
}
