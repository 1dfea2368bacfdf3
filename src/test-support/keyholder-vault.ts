import { VaultApiError, type VaultNode, type VaultPort } from '../engine/vault.js';

const OTP = 'A'.repeat(8) + 'otp-0123456789abcdef';
const NODE: VaultNode = { name: 'node-1', address: 'https://node-1:8200' };

/**
 * Vault's generate-root and rekey semantics in miniature, behind `request()`: nonces, progress,
 * shares checked only at the threshold, duplicate and malformed shares refused, OTP-encoded
 * tokens, revoke-self. For unit tests of the actions; the real server is in test/.
 */
export class FakeKeyholderVault implements VaultPort {
  readonly calls: string[] = [];
  valid: Set<string>;
  t = 3;
  gr: { nonce: string; got: string[] } | undefined;
  rk:
    | { nonce: string; got: string[]; n: number; t: number; pgp?: string[]; verify?: boolean }
    | undefined;
  /** A rekey with require_verification that waits for its new shares. */
  verify: { nonce: string; got: string[]; shares: string[]; t: number } | undefined;
  readonly live = new Set<string>();
  #seq = 0;
  newShares: string[] = [];

  constructor(shares: readonly string[]) {
    this.valid = new Set(shares);
  }

  nodes(): readonly VaultNode[] {
    return [NODE];
  }
  health(): ReturnType<VaultPort['health']> {
    return Promise.resolve({ reachable: true, code: 200, body: {} });
  }

  #nonce(): string {
    return `nonce-${++this.#seq}`;
  }

  #take(got: string[], key: string): void {
    if (!/^[0-9a-f]{8,}$/.test(key))
      throw new VaultApiError("'key' must be a valid hex or base64 string", 400);
    if (got.includes(key))
      throw new VaultApiError(
        'given key has already been provided during this generation operation',
        400,
      );
    got.push(key);
  }

  #grStatus(): Record<string, unknown> {
    return {
      started: Boolean(this.gr),
      nonce: this.gr?.nonce ?? '',
      progress: this.gr?.got.length ?? 0,
      required: this.t,
      complete: false,
      otp_length: 28,
    };
  }

  #update(body: { key: string; nonce: string }): Record<string, unknown> {
    const gr = this.gr;
    if (!gr) throw new VaultApiError('no root generation in progress', 400);
    if (body.nonce !== gr.nonce) throw new VaultApiError('incorrect nonce supplied', 400);
    this.#take(gr.got, body.key);
    if (gr.got.length < this.t) return this.#grStatus();
    const ok = gr.got.every((k) => this.valid.has(k));
    gr.got = [];
    if (!ok)
      throw new VaultApiError(
        'root generation aborted: unable to authenticate: cipher: message authentication failed',
        400,
      );
    const token = `hvs.${String(++this.#seq).padStart(24, 'x')}`;
    this.live.add(token);
    this.gr = undefined;
    const enc = Buffer.from([...Buffer.from(token)].map((b, i) => b ^ OTP.charCodeAt(i)));
    return {
      ...this.#grStatus(),
      nonce: gr.nonce,
      complete: true,
      encoded_token: enc.toString('base64').replace(/=+$/, ''),
    };
  }

  #rekeyUpdate(body: { key: string; nonce: string }): Record<string, unknown> {
    const rk = this.rk;
    if (!rk) throw new VaultApiError('no rekey in progress', 400);
    if (body.nonce !== rk.nonce) throw new VaultApiError('incorrect nonce supplied', 400);
    this.#take(rk.got, body.key);
    const status = { started: true, nonce: rk.nonce, t: rk.t, n: rk.n, required: this.t };
    if (rk.got.length < this.t) return { ...status, progress: rk.got.length };
    const ok = rk.got.every((k) => this.valid.has(k));
    rk.got = [];
    if (!ok) throw new VaultApiError('root key verification failed', 400);
    this.newShares = Array.from({ length: rk.n }, (_, i) => `0${i + 1}`.repeat(8) + 'beef');
    this.rk = undefined;
    if (rk.verify) {
      this.verify = { nonce: this.#nonce(), got: [], shares: this.newShares, t: rk.t };
    } else {
      this.valid = new Set(this.newShares);
      this.t = rk.t;
    }
    const keys = rk.pgp
      ? this.newShares.map((s) => Buffer.from(`pgp:${s}`).toString('base64'))
      : this.newShares;
    return {
      nonce: status.nonce,
      complete: true,
      keys,
      keys_base64: keys,
      pgp_fingerprints: rk.pgp ?? null,
      ...(this.verify
        ? { verification_required: true, verification_nonce: this.verify.nonce }
        : {}),
    };
  }

  #verifyUpdate(body: { key: string; nonce: string }): Record<string, unknown> {
    const v = this.verify;
    if (!v) throw new VaultApiError('no rekey configuration found', 400);
    if (body.nonce !== v.nonce) throw new VaultApiError('incorrect nonce supplied', 400);
    this.#take(v.got, body.key);
    if (v.got.length < v.t) return { nonce: v.nonce, started: true, progress: v.got.length };
    const ok = v.got.every((k) => v.shares.includes(k));
    v.got = [];
    if (!ok) {
      v.nonce = this.#nonce();
      throw new VaultApiError('rekey verification failed; incorrect key shares supplied', 400);
    }
    this.valid = new Set(v.shares);
    this.t = v.t;
    this.verify = undefined;
    return { nonce: body.nonce, complete: true };
  }

  request(_node: VaultNode, req: Parameters<VaultPort['request']>[1]): Promise<unknown> {
    const key = `${req.method} ${req.path}`;
    this.calls.push(key);
    const body = (req.body ?? {}) as Record<string, unknown> & { key: string; nonce: string };
    try {
      switch (key) {
        case 'GET sys/generate-root/attempt':
          return Promise.resolve(this.#grStatus());
        case 'PUT sys/generate-root/attempt':
          if (this.gr) throw new VaultApiError('root generation already in progress', 400);
          this.gr = { nonce: this.#nonce(), got: [] };
          return Promise.resolve({ ...this.#grStatus(), otp: OTP });
        case 'DELETE sys/generate-root/attempt':
          this.gr = undefined;
          return Promise.resolve(undefined);
        case 'PUT sys/generate-root/update':
          return Promise.resolve(this.#update(body));
        case 'GET sys/rekey/init':
          return Promise.resolve({
            started: Boolean(this.rk),
            nonce: this.rk?.nonce ?? '',
            progress: this.rk?.got.length ?? 0,
            required: this.t,
            t: this.rk?.t ?? 0,
            n: this.rk?.n ?? 0,
          });
        case 'PUT sys/rekey/init': {
          if (this.rk) throw new VaultApiError('rekey already in progress', 400);
          const pgp = body.pgp_keys as string[] | undefined;
          this.rk = {
            nonce: this.#nonce(),
            got: [],
            n: body.secret_shares as number,
            t: body.secret_threshold as number,
            ...(pgp ? { pgp: pgp.map((_, i) => `fpr${i}`) } : {}),
            ...(body.require_verification ? { verify: true } : {}),
          };
          return Promise.resolve({
            started: true,
            nonce: this.rk.nonce,
            required: this.t,
            pgp_fingerprints: this.rk.pgp ?? null,
          });
        }
        case 'DELETE sys/rekey/init':
          this.rk = undefined;
          this.verify = undefined;
          return Promise.resolve(undefined);
        case 'GET sys/rekey/verify':
          if (!this.verify) throw new VaultApiError('no rekey configuration found', 400);
          return Promise.resolve({
            nonce: this.verify.nonce,
            started: true,
            t: this.verify.t,
            n: this.verify.shares.length,
            progress: this.verify.got.length,
          });
        case 'PUT sys/rekey/verify':
          return Promise.resolve(this.#verifyUpdate(body));
        case 'PUT sys/rekey/update':
          return Promise.resolve(this.#rekeyUpdate(body));
        case 'GET auth/token/lookup-self': {
          const tok = req.token?.reveal() ?? '';
          if (!this.live.has(tok)) throw new VaultApiError('permission denied', 403);
          return Promise.resolve({
            data: { accessor: `acc-${tok.slice(-4)}`, policies: ['root'] },
          });
        }
        case 'POST auth/token/revoke-self': {
          const tok = req.token?.reveal() ?? '';
          if (!this.live.delete(tok)) throw new VaultApiError('permission denied', 403);
          return Promise.resolve(undefined);
        }
        default:
          throw new Error(`fake Vault: no ${key}`);
      }
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  sealStatus(): never {
    throw new Error('n/a');
  }
  init(): never {
    throw new Error('n/a');
  }
  unseal(): never {
    throw new Error('n/a');
  }
  unsealReset(): never {
    throw new Error('n/a');
  }
  seal(): never {
    throw new Error('n/a');
  }
  stepDown(): never {
    throw new Error('n/a');
  }
  leader(): never {
    throw new Error('n/a');
  }
}
