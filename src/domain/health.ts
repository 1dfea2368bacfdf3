/**
 * sys/health codes with default query flags (DESIGN §8). The ALB health check relies on these
 * defaults: only the active node answers 200.
 */
export type HaRole = 'active' | 'standby' | 'perf-standby' | 'dr-secondary' | 'unknown';

export interface HealthBody {
  readonly initialized?: boolean;
  readonly sealed?: boolean;
  readonly standby?: boolean;
  readonly performance_standby?: boolean;
  readonly replication_dr_mode?: string;
  readonly replication_performance_mode?: string;
  readonly version?: string;
  readonly cluster_name?: string;
  readonly cluster_id?: string;
  readonly server_time_utc?: number;
}

export const HEALTH_CODES: Readonly<Record<number, string>> = {
  200: 'active',
  429: 'unsealed standby',
  472: 'DR secondary',
  473: 'performance standby',
  474: 'standby that cannot reach the active',
  501: 'not initialized',
  503: 'sealed',
  530: 'removed from the cluster',
};

export function describeHealthCode(code: number | undefined): string {
  if (code === undefined) return 'unreachable';
  return HEALTH_CODES[code] ?? `unexpected ${code}`;
}

/** The role a node plays, from its health code, falling back to the body when a flag changed the code. */
export function roleOf(code: number | undefined, body: HealthBody = {}): HaRole {
  switch (code ?? 0) {
    case 200:
      return 'active';
    case 429:
    case 474:
      return 'standby';
    case 473:
      return 'perf-standby';
    case 472:
      return 'dr-secondary';
    default:
      if (body.initialized && body.sealed === false) return body.standby ? 'standby' : 'active';
      return 'unknown';
  }
}

/** The code Vault would answer with default flags, derived from the body (for cross-checks). */
export function defaultCodeOf(body: HealthBody): number {
  if (body.initialized === false) return 501;
  if (body.sealed) return 503;
  if (body.replication_dr_mode && body.replication_dr_mode.startsWith('secondary')) return 472;
  if (body.performance_standby) return 473;
  if (body.standby) return 429;
  return 200;
}
