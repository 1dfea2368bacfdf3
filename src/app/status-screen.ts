import type { ClusterStatus } from '../domain/cluster.js';
import type { Profile } from '../domain/schema.js';
import type { AwsPort } from '../engine/aws.js';
import type { VaultPort } from '../engine/vault.js';
import { AwsStatusCache, collectStatus, LeaderMemo, StatusPoller } from './status.js';

// The status pane's poller (the TUI's home and run screens): how often it asks and what it
// keeps between rounds, in one place — the live tests run exactly this configuration.

/**
 * One refresh a second after a change, every two seconds while nothing changes: a node that
 * seals shows within the two seconds operators expect, and an idle screen costs little.
 */
export const STATUS_INTERVAL_MS = 1000;
export const STATUS_IDLE_INTERVAL_MS = 2000;
/** A region's lock holder is asked at least this often while its rows stay the same. */
const STATUS_LEADER_MAX_AGE_MS = 15_000;
/** The first rows come this long after the first node answered, if the round is still on. */
const STATUS_PREVIEW_MS = 100;
/** ASG, instances, replication lag and DNS are read at most this often (and after a change). */
const STATUS_AWS_MAX_AGE_MS = 15_000;
/**
 * While neither the nodes nor AWS change, the AWS reads back off up to this (each read is
 * signed, sent and its XML parsed: half an idle screen's CPU). A node's change brings the next
 * round's AWS read at once.
 */
const STATUS_AWS_IDLE_MAX_AGE_MS = 60_000;
/**
 * A change is drawn at once; an unchanged status only this often, to move the pane's
 * "updated" time: a redraw of the whole screen costs more than the round that read it.
 */
const STATUS_REDRAW_IDLE_MS = 15_000;

/** The screen's poller; `onPreview` gets the first round's rows as their nodes answer. */
export function screenPoller(
  profile: Profile | undefined,
  vault: VaultPort,
  aws: AwsPort | undefined,
  onUpdate: (s: ClusterStatus) => void,
  onPreview: (s: ClusterStatus) => void,
): StatusPoller {
  // The nodes' rows first; the AWS columns with the round after the SDK has answered.
  const awsCache = new AwsStatusCache(STATUS_AWS_MAX_AGE_MS, undefined, {
    firstRoundWaits: false,
    maxIdleAgeMs: STATUS_AWS_IDLE_MAX_AGE_MS,
  });
  // The lock holders: asked again when a region's rows change, else every 15 s.
  const leaders = new LeaderMemo(STATUS_LEADER_MAX_AGE_MS);
  return new StatusPoller(
    (signal, preview) =>
      collectStatus(profile, vault, aws, signal, {
        awsCache,
        leaders,
        ...(preview ? { preview } : {}),
      }),
    onUpdate,
    STATUS_INTERVAL_MS,
    {
      maxIntervalMs: STATUS_IDLE_INTERVAL_MS,
      onlyChanges: { refreshMs: STATUS_REDRAW_IDLE_MS },
      preview: { afterMs: STATUS_PREVIEW_MS, show: onPreview },
    },
  );
}
