import { z } from 'zod';

/**
 * Vault's answers as they enter the program. Fields Vault may leave out or send as null get
 * defaults here, so the rest of the code sees one shape; a field of the wrong type is an error
 * that names the endpoint instead of a silent zero.
 */

const str = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
const num = z
  .number()
  .nullish()
  .transform((v) => v ?? 0);
const bool = z
  .boolean()
  .nullish()
  .transform((v) => v ?? false);
const strings = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

export const HealthBodySchema = z.object({
  initialized: z.boolean().optional(),
  sealed: z.boolean().optional(),
  standby: z.boolean().optional(),
  performance_standby: z.boolean().optional(),
  replication_dr_mode: z.string().optional(),
  replication_performance_mode: z.string().optional(),
  version: z.string().optional(),
  cluster_name: z.string().optional(),
  cluster_id: z.string().optional(),
  server_time_utc: z.number().optional(),
});

export const SealStatusSchema = z.object({
  type: z.string().optional(),
  initialized: bool,
  sealed: bool,
  t: num,
  n: num,
  progress: num,
  nonce: str,
  version: str,
  cluster_name: z.string().optional(),
});

export const InitSchema = z.object({
  keys: z.array(z.string()),
  keys_base64: z.array(z.string()),
  root_token: z.string(),
});

export const LeaderSchema = z.object({
  ha_enabled: bool,
  is_self: bool,
  leader_address: str,
  leader_cluster_address: str,
});

export const GenerateRootSchema = z.object({
  started: bool,
  nonce: str,
  progress: num,
  required: num,
  complete: bool,
  encoded_token: str,
  encoded_root_token: str,
  pgp_fingerprint: str,
  otp: str,
  otp_length: num,
});

export const RekeySchema = z.object({
  started: bool,
  nonce: str,
  t: num,
  n: num,
  progress: num,
  required: num,
  pgp_fingerprints: strings,
  verification_required: bool,
  verification_nonce: str,
  complete: bool,
  keys: strings,
  keys_base64: strings,
});

export const RekeyVerifySchema = z.object({
  nonce: str,
  started: bool,
  t: num,
  n: num,
  progress: num,
  complete: bool,
});

const MountEntry = z.object({
  type: z.string(),
  uuid: str,
  options: z.record(z.string(), z.string()).nullish(),
});
export const MountsSchema = z.object({ data: z.record(z.string(), MountEntry) });

const AuditEntry = z.object({
  type: z.string(),
  options: z
    .record(z.string(), z.string())
    .nullish()
    .transform((v) => v ?? {}),
});
export const AuditSchema = z.object({ data: z.record(z.string(), AuditEntry) });

export const AuditHashSchema = z.object({ hash: z.string() });

export const TokenCreateSchema = z.object({
  auth: z.object({ client_token: z.string(), accessor: z.string(), policies: strings }),
});

export const TokenLookupSchema = z.object({
  data: z.object({
    accessor: str,
    policies: strings,
    ttl: num,
    orphan: bool,
    display_name: str,
  }),
});

export const AccessorListSchema = z.object({ data: z.object({ keys: z.array(z.string()) }) });

export const KvV1Schema = z.object({ data: z.record(z.string(), z.unknown()) });

export const KvV2Schema = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()).nullable(),
    metadata: z.object({ version: z.number(), deletion_time: str, destroyed: bool }),
  }),
});

export const KvV2WriteSchema = z.object({ data: z.object({ version: z.number() }) });

export const KvMetadataSchema = z.object({
  data: z.object({
    current_version: z.number(),
    oldest_version: num,
    versions: z.record(
      z.string(),
      z.object({ created_time: str, deletion_time: str, destroyed: bool }),
    ),
  }),
});
