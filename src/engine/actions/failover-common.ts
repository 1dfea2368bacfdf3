import { errorMessage, UsageError } from '../../domain/errors.js';
import { withDeadline } from '../../domain/deadline.js';
import type { Profile } from '../../domain/schema.js';
import type { AwsPort, FailoverAwsPort } from '../aws.js';
import type { VaultNode } from '../vault.js';
import { requireAws } from './aws.js';
import type { ActionContext } from './types.js';

export type Side = 'primary' | 'dr';

/** One region of the profile, as the failover runbooks see it. */
export interface RegionView {
  readonly side: Side;
  readonly region: string;
  readonly asg?: string;
  readonly bucket?: string;
  readonly table?: string;
  /** The region's load balancer, as a node the Vault port can ask. */
  readonly lb?: VaultNode;
  /** The Route 53 value that names this region's load balancer. */
  readonly dnsValue?: string;
}

export function regionView(profile: Profile | undefined, side: Side): RegionView {
  const a = profile?.aws;
  if (!a) throw new UsageError('this step needs the profile’s `aws` section');
  const dr = side === 'dr';
  const region = dr ? a.dr_region : a.region;
  if (!region)
    throw new UsageError('the profile has no aws.dr_region: a failover needs the DR region');
  const lbAddr = dr ? profile.vault.dr_api_addr : profile.vault.api_addr;
  const asg = dr ? a.dr_asg : a.asg;
  const bucket = dr ? a.dr_data_bucket : a.data_bucket;
  const table = dr ? a.dr_dynamodb_table : a.dynamodb_table;
  const dnsValue = dr ? a.route53?.dr_value : a.route53?.primary_value;
  return {
    side,
    region,
    ...(asg ? { asg } : {}),
    ...(bucket ? { bucket } : {}),
    ...(table ? { table } : {}),
    ...(lbAddr ? { lb: { name: `${side}-lb`, address: lbAddr.replace(/\/$/, '') } } : {}),
    ...(dnsValue ? { dnsValue } : {}),
  };
}

export function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === '') throw new UsageError(`the profile does not name ${what}`);
  return v;
}

/** The AWS port with the failover calls (every adapter has them; an old fake may not). */
export function failoverAws(ctx: ActionContext<unknown>): AwsPort & FailoverAwsPort {
  const aws = requireAws(ctx);
  const missing = (
    [
      'setAsgCapacity',
      'describeTable',
      'readHaLock',
      'getObject',
      'putObject',
      'deleteObject',
      'dnsRecord',
      'dnsUpsert',
      'dnsChange',
      'replicationLink',
      'resumeReplication',
    ] as const
  ).filter((m) => typeof aws[m] !== 'function');
  if (missing.length)
    throw new Error(`internal: the AWS port lacks ${missing.join(', ')} for the failover steps`);
  return aws as AwsPort & FailoverAwsPort;
}

/** How long one probe of a possibly dead region may take: an outage costs one deadline. */
export const PROBE_MS = 8_000;

export type Probed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Runs one call under its own deadline (and the step's signal); a failure is data. */
export async function probe<T>(
  ctx: ActionContext<unknown>,
  call: (signal: AbortSignal) => Promise<T>,
  ms = PROBE_MS,
): Promise<Probed<T>> {
  // Not AbortSignal.any with AbortSignal.timeout: see domain/deadline.ts.
  let signal: AbortSignal | undefined;
  try {
    const value = await withDeadline(ctx.signal, ms, (s) => {
      signal = s;
      return call(s);
    });
    return { ok: true, value };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return {
      ok: false,
      error: signal?.aborted ? `no answer within ${ms / 1000} s` : errorMessage(err),
    };
  }
}

/** Times a person's answer, so the automated part of a failover can be told from theirs. */
export function timedAsk<I>(ctx: ActionContext<I>, spent: { ms: number }): ActionContext<I> {
  return {
    ...ctx,
    ask: async (prompt) => {
      const t0 = ctx.ports.clock.now().getTime();
      try {
        return await ctx.ask(prompt);
      } finally {
        spent.ms += ctx.ports.clock.now().getTime() - t0;
      }
    },
  };
}
