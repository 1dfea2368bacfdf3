import { errorMessage, UsageError } from '../domain/errors.js';
import { withDeadline } from '../domain/deadline.js';
import { tagUrl } from '../domain/tag-address.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import type { VaultNode } from '../engine/vault.js';

/**
 * Node discovery (profile `vault.discover`): an immutable cluster's nodes are whatever its Auto
 * Scaling group holds in service now, and every replacement comes with a new private IP, so a
 * fixed `vault.addresses` list goes stale after the first upgrade. The nodes are named by
 * their instance ids (the identity that changes when a node is replaced) and reached by IP,
 * with TLS still verified against the profile's CA and `tls.server_name`.
 */

export interface DiscoverSpec {
  readonly asg: string;
  readonly region: string;
  readonly port: number;
  readonly scheme: 'https' | 'http';
  /** Take the address from this tag instead of scheme://<private IP>:port. */
  readonly addressTag?: string;
}

/** One discovery may take this long: a status round or a step is not held up by AWS. */
const DISCOVER_TIMEOUT_MS = 10_000;

export function discoverSpec(
  profile: Profile | undefined,
  which: 'primary' | 'dr' = 'primary',
): DiscoverSpec | undefined {
  const d = which === 'dr' ? profile?.vault.dr_discover : profile?.vault.discover;
  if (!d) return undefined;
  const region = d.region ?? (which === 'dr' ? profile?.aws?.dr_region : profile?.aws?.region);
  const key = which === 'dr' ? 'dr_discover' : 'discover';
  if (!region)
    throw new UsageError(
      `vault.${key} needs a region: set vault.${key}.region or aws.${which === 'dr' ? 'dr_region' : 'region'}`,
    );
  return {
    asg: d.asg,
    region,
    port: d.port ?? 8200,
    scheme: d.scheme ?? 'https',
    ...(d.address_tag ? { addressTag: d.address_tag } : {}),
  };
}

function addressOf(
  i: { privateIp?: string; tags: Readonly<Record<string, string>> },
  spec: DiscoverSpec,
): string | undefined {
  if (spec.addressTag) {
    const tagged = i.tags[spec.addressTag];
    return tagged === undefined ? undefined : plainAddress(tagged, spec.scheme);
  }
  if (!i.privateIp) return undefined;
  const host = i.privateIp.includes(':') ? `[${i.privateIp}]` : i.privateIp;
  return `${spec.scheme}://${host}:${spec.port}`;
}

/**
 * A node's address from its tag, used only when it is a plain `scheme://host[:port]` in the
 * profile's scheme (domain/tag-address.ts). The host may be a name: TLS against the profile's
 * CA and `tls.server_name` still decides whom the node is. Anything else leaves the instance
 * out, as an instance with no address is.
 */
export function plainAddress(value: string, scheme: 'https' | 'http'): string | undefined {
  const t = tagUrl(value.trim(), scheme);
  return t.ok ? `${scheme}://${t.url.host}` : undefined;
}

/**
 * The ASG's InService, running instances as Vault nodes, ordered by AZ then instance id (a
 * stable order for the status pane). An instance launching or terminating is not a node yet,
 * or any more; one without an address cannot be reached and is left out.
 */
export async function discoverNodes(
  aws: Pick<AwsPort, 'describeAsg' | 'describeInstances'>,
  spec: DiscoverSpec,
  signal: AbortSignal,
): Promise<VaultNode[]> {
  return withDeadline(signal, DISCOVER_TIMEOUT_MS, (deadline) => discover(aws, spec, deadline));
}

async function discover(
  aws: Pick<AwsPort, 'describeAsg' | 'describeInstances'>,
  spec: DiscoverSpec,
  deadline: AbortSignal,
): Promise<VaultNode[]> {
  const group = await aws.describeAsg(spec.asg, spec.region, deadline);
  if (!group) throw new Error(`Auto Scaling group '${spec.asg}' not found in ${spec.region}`);
  const ids = group.instances
    .filter((m) => m.lifecycleState === 'InService')
    .map((m) => m.instanceId);
  const instances = await aws.describeInstances(ids, spec.region, deadline);
  return instances
    .filter((i) => ids.includes(i.instanceId) && i.state === 'running')
    .flatMap((i) => {
      const address = addressOf(i, spec);
      return address ? [{ i, address }] : [];
    })
    .sort((a, b) => a.i.az.localeCompare(b.i.az) || a.i.instanceId.localeCompare(b.i.instanceId))
    .map(({ i, address }) => ({ name: i.instanceId, address }));
}

/** The resolver the Vault adapter calls at each refresh, or none for a fixed address list. */
export function nodeResolver(
  profile: Profile | undefined,
  aws: AwsPort | undefined,
  which: 'primary' | 'dr' = 'primary',
): ((signal: AbortSignal) => Promise<VaultNode[]>) | undefined {
  const spec = discoverSpec(profile, which);
  if (!spec) return undefined;
  const key = which === 'dr' ? 'vault.dr_discover' : 'vault.discover';
  if (!aws)
    throw new UsageError(`${key} asks AWS for the nodes: the profile needs its aws section`);
  // A step or a status round that fails here says what it was doing.
  return (signal) =>
    discoverNodes(aws, spec, signal).catch((err: unknown) => {
      throw new Error(
        `finding the ${which === 'dr' ? 'DR ' : ''}Vault nodes (${key}): ${errorMessage(err)}`,
      );
    });
}
