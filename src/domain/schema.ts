import { z } from 'zod';
import { parseDuration } from './duration.js';

const ID = /^[a-z0-9][a-z0-9_-]*$/;

const duration = z.union([z.string(), z.number()]).superRefine((v, ctx) => {
  try {
    parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export const InputSchema = z.strictObject({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'input names are lower_snake_case'),
  description: z.string().optional(),
  default: z.unknown().optional(),
  required: z.boolean().optional(),
  choices: z.array(z.string()).optional(),
});

export const PreconditionSchema = z
  .strictObject({
    check: z.string().optional().describe('an action whose outputs.ok must be true'),
    with: z.record(z.string(), z.unknown()).optional(),
    run: z.string().optional().describe('a shell command that must exit 0'),
    if: z.string().optional().describe('an expression that must be true'),
    message: z.string(),
  })
  .superRefine((p, ctx) => {
    const n = [p.check, p.run, p.if].filter((x) => x !== undefined).length;
    if (n !== 1)
      ctx.addIssue({
        code: 'custom',
        message: 'a precondition needs exactly one of `check`, `run` or `if`',
      });
  });

export const RetrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(100),
  delay: duration.optional(),
});

export const StepSchema = z
  .strictObject({
    id: z.string().regex(ID, 'step ids are lower-case letters, digits, - and _'),
    title: z.string().optional(),
    description: z.string().optional(),
    uses: z.string().optional(),
    run: z.string().optional(),
    with: z.record(z.string(), z.unknown()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    if: z.string().optional(),
    timeout: duration.optional(),
    retry: RetrySchema.optional(),
    'on-failure': z.string().optional(),
    destructive: z.boolean().optional(),
    'abort-warning': z
      .string()
      .optional()
      .describe(
        'shown when the operator asks to abort during this step; the abort then takes y, not a second Ctrl-C',
      ),
    outputs: z.record(z.string(), z.string()).optional(),
    'recheck-on-resume': z
      .boolean()
      .optional()
      .describe(
        'on resume, a step the run already passed (skipped, or succeeded with secret outputs lost with the process) whose `if:` is now true runs again before the interrupted step',
      ),
    probe: z
      .string()
      .optional()
      .describe('shell command: exit 0 means the step already took effect'),
  })
  .superRefine((s, ctx) => {
    if ((s.uses === undefined) === (s.run === undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'a step needs exactly one of `uses` (an action) or `run` (a shell command)',
      });
    if (s['recheck-on-resume'] && s.if === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['recheck-on-resume'],
        message: '`recheck-on-resume` needs an `if:` that says when the step is needed again',
      });
    if (s.probe !== undefined && s.run === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['probe'],
        message: '`probe` applies to `run` steps; actions bring their own probe',
      });
  });

export const RunbookSchema = z
  .strictObject({
    id: z.string().regex(ID, 'runbook ids are lower-case letters, digits, - and _'),
    title: z.string(),
    description: z.string().optional(),
    tags: z.array(z.string()).optional(),
    inputs: z.array(InputSchema).optional(),
    preconditions: z.array(PreconditionSchema).optional(),
    steps: z.array(StepSchema).min(1),
  })
  .superRefine((rb, ctx) => {
    const seen = new Map<string, number>();
    rb.steps.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'id'],
          message: `duplicate step id '${s.id}' (first at step ${(seen.get(s.id) ?? 0) + 1})`,
        });
      else seen.set(s.id, i);
    });
    rb.steps.forEach((s, i) => {
      const f = s['on-failure'];
      if (f === undefined || f === 'abort' || f === 'continue') return;
      const target = seen.get(f);
      if (target === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'on-failure'],
          message: `on-failure names unknown step '${f}' (use abort, continue or a step id)`,
        });
      // Only forward jumps: a rescue step runs after the failure, and a run can never loop.
      else if (target <= i)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'on-failure'],
          message: `on-failure step '${f}' must come after step '${s.id}'`,
        });
    });
  });

export type Runbook = z.infer<typeof RunbookSchema>;
export type Step = z.infer<typeof StepSchema>;
export type RunbookInput = z.infer<typeof InputSchema>;
export type Precondition = z.infer<typeof PreconditionSchema>;

const url = z.string().regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL');

export const KeyholderSchema = z.strictObject({
  name: z.string().min(1),
  email: z.string().optional(),
  pgp_key: z
    .string()
    .optional()
    .describe('path to the keyholder’s PGP public key (armored or binary)'),
});

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/;

export const RECOVERY_EGRESS_REQUIRED =
  'recovery needs egress_cidrs or egress_prefix_lists (where port 443 may go: the endpoints, never the VPC CIDR; terraform output recovery_profile has them)';

/** The recovery section names where its node's 443 may go (see RECOVERY_EGRESS_REQUIRED). */
export function hasRecoveryEgress(r: {
  readonly egress_cidrs?: readonly string[] | undefined;
  readonly egress_prefix_lists?: readonly string[] | undefined;
}): boolean {
  return (r.egress_cidrs?.length ?? 0) + (r.egress_prefix_lists?.length ?? 0) > 0;
}

/**
 * What an isolated S3-quarantine recovery node needs on AWS and a profile does not hold
 * otherwise (runbooks/s3-secret-recovery.yaml, mode=quarantine; see docs/s3-recovery.md).
 */
export const RecoverySchema = z.strictObject({
  subnet_id: z
    .string()
    .regex(/^subnet-[0-9a-f]+$/, 'a subnet id (subnet-…)')
    .describe(
      'where the recovery instance runs: a subnet with no route to production (best a VPC of its own reaching only the S3 gateway endpoint and the SSM/KMS interface endpoints; see docs/s3-recovery.md)',
    ),
  instance_profile: z
    .string()
    .regex(/^[\w+=,.@-]{1,128}$/, 'an instance profile name')
    .describe(
      'the instance profile dedicated to recovery, NOT the production one: the production role reaches the live bucket whatever a security group says',
    ),
  role_arn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN')
    .describe(
      'the role inside that instance profile: the quarantine bucket’s policy grants it that bucket and nothing else',
    ),
  operator_cidr: z
    .string()
    .regex(CIDR, { message: 'an IPv4 CIDR such as 10.20.0.0/24', abort: true })
    // "Operator only" ingress open to the world would take shares and a token from anywhere.
    .refine((c) => !c.endsWith('/0'), 'the operator’s own network, never /0 (every address)')
    .describe('the only source allowed to reach the recovery node’s Vault port'),
  instance_type: z
    .string()
    .regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'an EC2 instance type such as t3.small')
    .optional()
    .describe('default: the launch template’s'),
  ami: z
    .string()
    .regex(/^ami-[0-9a-f]+$/, 'an AMI id (ami-…)')
    .optional()
    .describe('default: the AMI of the launch template the ASG launches (the same Vault version)'),
  egress_prefix_lists: z
    .array(z.string().regex(/^pl-[0-9a-f]+$/, 'a prefix list id (pl-…)'))
    .optional()
    .describe('where port 443 may go besides egress_cidrs: the S3 gateway endpoint’s prefix list'),
  egress_cidrs: z
    .array(z.string().regex(CIDR, 'an IPv4 CIDR'))
    .optional()
    .describe(
      'where port 443 may go: the SSM/KMS interface endpoints’ subnets (terraform output recovery_profile); never the VPC CIDR, which holds the production load balancer',
    ),
  port: z.number().int().min(1).max(65535).optional().describe('Vault API port (default 8200)'),
  scheme: z
    .enum(['https', 'http'])
    .optional()
    .describe('default https; http is refused unless vault.tls.insecure_override says why'),
  address_tag: z
    .string()
    .min(1)
    .optional()
    .describe(
      'take the node’s API address from this instance tag instead of scheme://<private IP>:port (as vault.discover)',
    ),
  start_timeout: duration
    .optional()
    .describe('how long the instance may take to run and answer on its API (default 10m)'),
});

const DiscoverSchema = z.strictObject({
  asg: z.string().min(1).describe('the Auto Scaling group whose InService instances are the nodes'),
  region: z.string().optional().describe('its region (default: aws.region)'),
  port: z.number().int().min(1).max(65535).optional().describe('Vault API port (default 8200)'),
  scheme: z
    .enum(['https', 'http'])
    .optional()
    .describe('default https; http is refused unless tls.insecure_override says why'),
  address_tag: z
    .string()
    .min(1)
    .optional()
    .describe(
      'take each instance’s API address from this tag instead of scheme://<private IP>:port',
    ),
});

export const ProfileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        'a short cluster name (it is typed to confirm destructive steps)',
      ),
    description: z.string().optional(),
    vault: z
      .strictObject({
        addresses: z.array(url).optional(),
        discover: DiscoverSchema.optional().describe(
          'find the nodes from the ASG at each status poll and before each Vault step (replacements get new IPs); needs tls.server_name',
        ),
        api_addr: url.optional().describe('the load-balanced address (ALB/DNS) clients use'),
        dr_addresses: z
          .array(url)
          .optional()
          .describe(
            'the DR region’s node addresses (stable per slot, like `addresses`): where a failover unseals and checks the promoted cluster',
          ),
        dr_discover: DiscoverSchema.optional().describe(
          'find the DR region’s nodes from its ASG (as `discover`; region default aws.dr_region): where a failover unseals and checks the promoted cluster',
        ),
        dr_api_addr: url.optional().describe('the DR region’s load balancer'),
        tls: z
          .strictObject({
            ca_cert: z.string().optional(),
            server_name: z
              .string()
              .optional()
              .describe('the name the nodes’ certificates carry, when the addresses are IPs'),
            skip_verify: z
              .boolean()
              .optional()
              .describe('refused unless insecure_override gives a reason'),
            insecure_override: z
              .string()
              .min(1)
              .optional()
              .describe(
                'why this cluster may be reached over http:// or without TLS verification (a lab); shown and journaled on every run',
              ),
          })
          .optional(),
        audit_file: z
          .string()
          .optional()
          .describe(
            'where the file audit device writes, on the Vault nodes (default /var/log/vault/audit.log)',
          ),
      })
      .refine(
        (v) => v.addresses !== undefined || v.discover !== undefined,
        'give `addresses` or `discover`',
      )
      .refine((v) => v.dr_addresses === undefined || v.dr_discover === undefined, {
        message: 'give `dr_addresses` or `dr_discover`, not both',
        path: ['dr_discover'],
      })
      .refine((v) => v.dr_discover === undefined || Boolean(v.tls?.server_name), {
        message:
          '`dr_discover` reaches the nodes by IP address: set vault.tls.server_name to the name their certificates carry',
        path: ['dr_discover'],
      })
      .refine((v) => v.addresses === undefined || v.discover === undefined, {
        message: 'give `addresses` or `discover`, not both',
        path: ['discover'],
      })
      .refine((v) => v.discover === undefined || Boolean(v.tls?.server_name), {
        message:
          '`discover` reaches the nodes by IP address: set vault.tls.server_name to the name their certificates carry',
        path: ['discover'],
      }),
    aws: z
      .strictObject({
        region: z.string(),
        dr_region: z.string().optional(),
        asg: z.string().optional(),
        dr_asg: z.string().optional(),
        launch_template: z.string().optional(),
        dr_launch_template: z.string().optional(),
        data_bucket: z.string().optional(),
        dr_data_bucket: z.string().optional(),
        dynamodb_table: z.string().optional(),
        dr_dynamodb_table: z.string().optional(),
        route53: z
          .strictObject({
            zone_id: z.string(),
            record: z.string(),
            type: z.enum(['A', 'CNAME']).optional(),
            ttl: z.number().int().min(1).optional(),
            primary_value: z
              .string()
              .optional()
              .describe('the record value naming the primary load balancer (its IP or DNS name)'),
            dr_value: z
              .string()
              .optional()
              .describe('the record value naming the DR load balancer'),
          })
          .optional(),
        target_group_arn: z.string().optional(),
        dr_target_group_arn: z.string().optional(),
        endpoints: z
          .record(z.string(), url)
          .optional()
          .describe('per-service endpoint overrides (the sandbox uses these)'),
      })
      .optional(),
    image: z
      .strictObject({
        builder: z.enum(['packer', 'sandbox']),
        template: z.string().optional(),
      })
      .optional(),
    keyholders: z.array(KeyholderSchema).optional(),
    recovery: RecoverySchema.optional().describe(
      'the isolated recovery node of an S3 quarantine on AWS (s3-secret-recovery, mode=quarantine)',
    ),
  })
  .refine((p) => p.vault.dr_discover === undefined || p.aws !== undefined, {
    message: '`vault.dr_discover` asks AWS for the nodes: the profile needs its `aws` section',
    path: ['vault', 'dr_discover'],
  })
  .refine((p) => p.vault.discover === undefined || p.aws !== undefined, {
    message: '`vault.discover` asks AWS for the nodes: the profile needs its `aws` section',
    path: ['vault', 'discover'],
  })
  // Keyholders' shares and the operator's token go to the recovery node: the nodes' rule.
  .refine((p) => p.recovery?.scheme !== 'http' || Boolean(p.vault.tls?.insecure_override?.trim()), {
    message:
      'recovery.scheme http sends shares and a token unprotected: use https, or for a lab set vault.tls.insecure_override: "<why>"',
    path: ['recovery', 'scheme'],
  })
  .refine((p) => p.recovery === undefined || (p.aws?.asg && p.aws.data_bucket), {
    message:
      '`recovery` launches an instance like the ASG’s next to the data bucket: the profile needs aws.asg and aws.data_bucket',
    path: ['recovery'],
  })
  // No default egress: the subnet's VPC CIDR (the old default) reaches the production load
  // balancer on 443 when the recovery subnet is in the cluster's VPC. Said, never guessed.
  .refine((p) => p.recovery === undefined || hasRecoveryEgress(p.recovery), {
    message: RECOVERY_EGRESS_REQUIRED,
    path: ['recovery'],
  });

export type Profile = z.infer<typeof ProfileSchema>;
export type Keyholder = z.infer<typeof KeyholderSchema>;
export type RecoveryProfile = z.infer<typeof RecoverySchema>;

export function jsonSchema(which: 'runbook' | 'profile'): unknown {
  const schema = which === 'runbook' ? RunbookSchema : ProfileSchema;
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
}
