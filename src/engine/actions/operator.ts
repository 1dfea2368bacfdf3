import { z } from 'zod';
import { parsePublicKey } from '../../domain/pgp.js';
import { encryptSecretTo } from '../../domain/secret-crypto.js';
import type { Profile } from '../../domain/schema.js';
import { isPermissionDenied, type AuditDevice, type TokenInfo } from '../vault.js';
import type { ActionDef } from './types.js';
import {
  clearAfterMs,
  fileSafe,
  pickNode,
  requireAbsent,
  requireFiles,
  ROOT_TOKEN_LOST,
  secretIn,
} from './ceremony.js';
import { handOver } from './handoff.js';
import { requireVault } from './vault.js';

/** The steps after unseal that need the initial root token: audit, first credential, revoke. */

const Token = secretIn('the root token', ROOT_TOKEN_LOST);

const AuditInput = z.strictObject({
  token: Token,
  /** Mount path of the device (`vault audit enable -path=…`). */
  path: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('file'),
  file_path: z.string().min(1),
  node: z.string().optional(),
});
type AuditInput = z.input<typeof AuditInput>;

async function auditDevice(
  ctx: Parameters<ActionDef<AuditInput>['run']>[0],
  path: string,
): Promise<AuditDevice | undefined> {
  const vault = requireVault(ctx);
  const node = await pickNode(vault, ctx.input.node, ctx.signal);
  const all = await vault.auditDevices(node, ctx.input.token, ctx.signal);
  return all.find((d) => d.path === `${path}/`);
}

export const auditEnableAction: ActionDef<AuditInput> = {
  id: 'vault.audit-enable',
  summary: 'Enable a file audit device (sys/audit/<path>) so every later request is logged',
  input: AuditInput,
  idempotent: true,
  human: false,
  describe: (i) => `enable the file audit device '${i.path ?? 'file'}' writing to ${i.file_path}`,
  async run(ctx) {
    const input = AuditInput.parse(ctx.input);
    const vault = requireVault(ctx);
    const node = await pickNode(vault, input.node, ctx.signal);
    const existing = await auditDevice(ctx, input.path);
    if (existing) {
      const file = existing.options.file_path;
      if (existing.type !== 'file' || file !== input.file_path)
        throw new Error(
          `an audit device is already mounted at ${input.path}/ (${JSON.stringify(existing.type)} → ${JSON.stringify(file)})`,
        );
      ctx.log(`file audit device ${input.path}/ already writes to ${input.file_path}`);
    } else {
      await vault.auditEnableFile(node, input.token, input.path, input.file_path, ctx.signal);
      if (!(await auditDevice(ctx, input.path)))
        throw new Error(`sys/audit does not list ${input.path}/ after enabling it`);
      ctx.log(`file audit device ${input.path}/ enabled on ${node.name}: ${input.file_path}`);
    }
    return { path: input.path, file_path: input.file_path, type: 'file' };
  },
  async probe(ctx) {
    const d = await auditDevice(ctx, ctx.input.path ?? 'file');
    return d
      ? {
          tookEffect: true,
          outputs: { path: ctx.input.path ?? 'file', file_path: ctx.input.file_path, type: 'file' },
          detail: 'the audit device is enabled',
        }
      : { tookEffect: false, detail: 'no audit device yet' };
  },
};

/** A keyholder of the profile who receives the token brings their own key. */
function holderKey(profile: Profile | undefined, holder: string): string | undefined {
  return profile?.keyholders?.find((k) => k.name === holder)?.pgp_key || undefined;
}

const TokenInput = z.strictObject({
  token: Token,
  /** Who receives the credential: a keyholder's or operator's name. */
  holder: z.string().min(1),
  policy_name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('operators'),
  /** The ACL policy (HCL) the credential is bound to. */
  policy: z.string().min(1),
  ttl: z.string().default('24h'),
  display_name: z.string().optional(),
  /**
   * The holder's PGP public key file (by default their keyholder key from the profile): the
   * token is written encrypted to <dir>/<holder>.token.asc, never shown.
   */
  pgp_key: z.string().optional(),
  dir: z.string().default('ceremony'),
  node: z.string().optional(),
  'proof-length': z.number().int().min(1).max(16).default(6),
  'clear-after': z.union([z.string(), z.number()]).optional(),
});
type TokenInput = z.input<typeof TokenInput>;

/**
 * The operators' first credential: an ACL policy and an orphan token bound to it (orphan, so
 * revoking the root token does not revoke it too). Delivered encrypted to a file, or shown once.
 */
export const tokenCreateAction: ActionDef<TokenInput> = {
  id: 'vault.token-create',
  summary:
    'Write an ACL policy and create an orphan token bound to it for the first operator: PGP-encrypted to a file, or shown once on screen',
  input: TokenInput,
  idempotent: false,
  human: true,
  headless: (w, profile) =>
    (typeof w.pgp_key === 'string' && w.pgp_key !== '') ||
    (typeof w.holder === 'string' && holderKey(profile, w.holder))
      ? undefined
      : `the operator token for ${typeof w.holder === 'string' ? w.holder : 'the operator'} has no PGP key to be encrypted to, so it would be shown on screen; a headless run never writes it to a pipe`,
  describe: (i) =>
    `write policy ${i.policy_name ?? 'operators'} and create a token for ${i.holder}${i.pgp_key ? ' (PGP-encrypted to a file)' : ' (shown once)'}`,
  async run(ctx) {
    const input = TokenInput.parse(ctx.input);
    const vault = requireVault(ctx);
    const node = await pickNode(vault, input.node, ctx.signal);
    const keyFile = input.pgp_key || holderKey(ctx.profile, input.holder);
    const key = keyFile
      ? parsePublicKey(await requireFiles(ctx).read(keyFile, ctx.signal))
      : undefined;
    const tokenFile = `${input.dir}/${fileSafe(input.holder)}.token.asc`;
    if (key) await requireAbsent(ctx, [tokenFile]);
    await vault.policyWrite(node, input.token, input.policy_name, input.policy, ctx.signal);
    ctx.log(`policy ${input.policy_name} written`);
    const created = await vault.tokenCreate(
      node,
      input.token,
      {
        policies: [input.policy_name],
        orphan: true,
        ttl: input.ttl,
        renewable: true,
        displayName: input.display_name ?? input.holder,
        meta: { holder: input.holder, created_by: 'bootstrap-ceremony' },
      },
      ctx.signal,
    );
    const token = created.token;
    ctx.registerSecret(token);
    const accessor = created.accessor;
    ctx.log(`token for ${input.holder} created (accessor ${accessor}, ttl ${input.ttl}, orphan)`);
    if (key) {
      const text = encryptSecretTo(key, token);
      const file = await requireFiles(ctx).writeNew(tokenFile, text, ctx.signal);
      // The fingerprint names the primary key; the subkey id is the key the token really went to.
      ctx.log(
        `token encrypted to ${key.fingerprint} (encryption ${key.encryptionKey?.primary ? 'key: the primary' : `subkey ${key.encryptionKey?.keyId ?? '?'}`}) → ${file} (gpg -dq ${file})`,
      );
      return {
        holder: input.holder,
        policy: input.policy_name,
        accessor,
        delivered: 'file',
        file,
        token,
      };
    }
    await handOver(ctx, {
      holder: input.holder,
      label: 'operator token',
      secret: token,
      proofLength: input['proof-length'],
      clearAfterMs: clearAfterMs(input['clear-after']),
    });
    return {
      holder: input.holder,
      policy: input.policy_name,
      accessor,
      delivered: 'screen',
      token,
    };
  },
};

const RevokeInput = z.strictObject({ token: Token, node: z.string().optional() });
type RevokeInput = z.infer<typeof RevokeInput>;

async function lookupSelf(
  ctx: Parameters<ActionDef<RevokeInput>['run']>[0],
): Promise<{ valid: true; info: TokenInfo } | { valid: false; status: number }> {
  const vault = requireVault(ctx);
  const node = await pickNode(vault, ctx.input.node, ctx.signal);
  try {
    return { valid: true, info: await vault.tokenLookupSelf(node, ctx.input.token, ctx.signal) };
  } catch (err) {
    if (isPermissionDenied(err)) return { valid: false, status: 403 };
    throw err;
  }
}

/** Revokes the token it is given (the initial root token) and proves it: lookup-self must fail. */
export const revokeSelfAction: ActionDef<RevokeInput> = {
  id: 'vault.revoke-self',
  summary:
    'Revoke a token with auth/token/revoke-self (the initial root token), then check that lookup-self refuses it',
  input: RevokeInput,
  idempotent: true,
  human: false,
  describe: () => 'revoke the token (auth/token/revoke-self) and check that it no longer works',
  async run(ctx) {
    const vault = requireVault(ctx);
    const node = await pickNode(vault, ctx.input.node, ctx.signal);
    const before = await lookupSelf(ctx);
    if (before.valid) {
      ctx.log(
        `revoking token ${before.info.accessor} (policies ${before.info.policies.join(',') || '?'})`,
      );
      await vault.tokenRevokeSelf(node, ctx.input.token, ctx.signal);
    } else ctx.log('the token is already refused by Vault');
    const after = await lookupSelf(ctx);
    if (after.valid) throw new Error('the token still works after revoke-self');
    const at = ctx.ports.clock.now().toISOString();
    ctx.log(`token revoked: lookup-self is refused (HTTP ${after.status}) at ${at}`);
    return { revoked: true, at };
  },
  async probe(ctx) {
    const r = await lookupSelf(ctx);
    return r.valid
      ? { tookEffect: false, detail: 'the token still works: revoking it' }
      : { tookEffect: true, outputs: { revoked: true }, detail: 'the token is already revoked' };
  },
};
