import type { z } from 'zod';
import type { Secret } from '../domain/secret.js';
import type { VaultNode } from '../engine/vault.js';
import { parse } from './vault-convert.js';
import type { Method, VaultTransport } from './vault-transport.js';

/** One Vault call with its answer parsed by a schema, or one whose answer is only its success. */
export class VaultCaller {
  constructor(readonly http: VaultTransport) {}

  async call<T extends z.ZodType>(
    node: VaultNode,
    method: Method,
    path: string,
    schema: T,
    signal: AbortSignal,
    opts: { body?: unknown; token?: Secret; timeoutMs?: number } = {},
  ): Promise<z.output<T>> {
    const r = await this.http.send(node, { method, path, ...opts }, signal);
    return parse(schema, r.body, `${node.name}: ${method} ${path}`);
  }

  async do(
    node: VaultNode,
    method: Method,
    path: string,
    signal: AbortSignal,
    opts: { body?: unknown; token?: Secret } = {},
  ): Promise<void> {
    await this.http.send(node, { method, path, ...opts }, signal);
  }
}
