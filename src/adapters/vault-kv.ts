import type { Secret } from '../domain/secret.js';
import {
  VaultApiError,
  type KvMetadata,
  type KvPath,
  type KvSecret,
  type VaultNode,
} from '../engine/vault.js';
import type { VaultCaller } from './vault-caller.js';
import { kvValues, seg } from './vault-convert.js';
import * as S from './vault-schemas.js';

/** KV v1 and v2: a missing secret (404) is `undefined`, every value a Secret. */

export async function kvRead(
  c: VaultCaller,
  node: VaultNode,
  token: Secret,
  at: KvPath,
  signal: AbortSignal,
  version?: number,
): Promise<KvSecret | undefined> {
  const where = `${at.mount}/${at.path}`;
  try {
    if (at.kv === 1) {
      const r = await c.call(
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
    const r = await c.call(
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

export async function kvWrite(
  c: VaultCaller,
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
    await c.do(node, 'PUT', `${seg(at.mount)}/${seg(at.path)}`, signal, {
      token,
      body: plain,
    });
    return {};
  }
  const r = await c.call(
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

export async function kvMetadata(
  c: VaultCaller,
  node: VaultNode,
  token: Secret,
  at: Omit<KvPath, 'kv'>,
  signal: AbortSignal,
): Promise<KvMetadata | undefined> {
  try {
    const r = await c.call(
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

/** KV v2 delete/undelete/destroy: each answers 204 with no body; versions go as numbers. */
export async function kvVersions(
  c: VaultCaller,
  node: VaultNode,
  token: Secret,
  at: Omit<KvPath, 'kv'>,
  op: 'delete' | 'undelete' | 'destroy',
  versions: readonly number[] | undefined,
  signal: AbortSignal,
): Promise<void> {
  if (op === 'delete' && versions === undefined) {
    // DELETE on data/ soft-deletes the latest version, as `vault kv delete` does.
    await c.do(node, 'DELETE', `${seg(at.mount)}/data/${seg(at.path)}`, signal, { token });
    return;
  }
  await c.do(
    node,
    op === 'destroy' ? 'PUT' : 'POST',
    `${seg(at.mount)}/${op}/${seg(at.path)}`,
    signal,
    {
      token,
      body: { versions: [...(versions ?? [])] },
    },
  );
}
