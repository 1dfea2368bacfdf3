import type { ClusterView, DrView, NodeView, RegionView } from '../store.js';
import type { Tone } from '../context.js';

export interface Cell {
  readonly text: string;
  readonly tone?: Tone;
}

export const NODE_HEADERS = [
  'node',
  'instance',
  'AZ',
  'AMI',
  'version',
  'seal',
  'HA role',
  'health',
];

export function sealCell(n: NodeView): Cell {
  if (!n.reachable) return { text: 'unreachable', tone: 'fail' };
  if (n.initialized === false) return { text: 'not initialized', tone: 'warn' };
  if (n.sealed === undefined) return { text: '?' };
  if (!n.sealed) return { text: 'unsealed', tone: 'ok' };
  return { text: n.progress ? `sealed ${n.progress.t}/${n.progress.n}` : 'sealed', tone: 'fail' };
}

/** sys/health codes as DESIGN §8 lists them. */
export function healthCell(code: number | undefined): Cell {
  if (code === undefined) return { text: '—' };
  switch (code) {
    case 200:
      return { text: '200 active', tone: 'ok' };
    case 429:
      return { text: '429 standby', tone: 'ok' };
    case 472:
      return { text: '472 DR secondary' };
    case 473:
      return { text: '473 perf standby', tone: 'ok' };
    case 474:
      return { text: '474 standby, no active', tone: 'warn' };
    case 501:
      return { text: '501 not initialized', tone: 'warn' };
    case 503:
      return { text: '503 sealed', tone: 'fail' };
    case 530:
      return { text: '530 removed', tone: 'fail' };
    default:
      return { text: String(code), tone: 'warn' };
  }
}

/** One node in a few words, for the one-line status of a short terminal. */
export function compactNodeCell(n: NodeView): Cell {
  const seal = sealCell(n);
  const role = n.role === 'active' || n.role === 'standby' ? ` ${n.role}` : '';
  return {
    text: `${n.name} ${seal.text}${n.sealed === false ? role : ''}`,
    ...(seal.tone ? { tone: seal.tone } : {}),
  };
}

export function roleCell(n: NodeView): Cell {
  if (!n.role) return { text: '—' };
  return { text: n.role, ...(n.role === 'active' ? { tone: 'ok' as const } : {}) };
}

export function nodeCells(n: NodeView): Cell[] {
  return [
    { text: n.name },
    { text: n.instanceId ?? '—' },
    { text: n.az ?? '—' },
    { text: n.ami ?? '—' },
    { text: n.version ?? '—' },
    sealCell(n),
    roleCell(n),
    healthCell(n.healthCode),
  ];
}

/** Column widths that fit the widest cell of each column. */
export function columnWidths(
  rows: readonly (readonly Cell[])[],
  headers: readonly string[],
): number[] {
  return headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.text.length ?? 0)));
}

/** Columns a narrow terminal gives up first; node, seal and HA role always stay. */
const DROP_ORDER = ['AMI', 'instance', 'AZ', 'version', 'health'];

/**
 * Which columns fit in `width` characters (2 spaces between columns). At 80 columns the seal
 * state used to be cut off behind instance ids and AMIs.
 */
export function visibleColumns(
  widths: readonly number[],
  headers: readonly string[],
  width: number,
): number[] {
  let keep = headers.map((_, i) => i);
  const total = (cols: number[]): number =>
    cols.reduce((sum, i) => sum + (widths[i] ?? 0), 0) + 2 * Math.max(0, cols.length - 1);
  for (const name of DROP_ORDER) {
    if (total(keep) <= width) break;
    keep = keep.filter((i) => headers[i] !== name);
  }
  return keep;
}

export function regionLine(r: RegionView): string {
  const parts = [`region ${r.name}`];
  parts.push(r.asg ? `ASG ${r.asg.inService}/${r.asg.desired} in service` : 'ASG —');
  parts.push(
    r.replicationLagSeconds === undefined
      ? 'replication lag —'
      : `replication lag ${r.replicationLagCapped ? '≥' : ''}${r.replicationLagSeconds}s`,
  );
  parts.push(`HA lock ${r.haLockHolder ?? '—'}`);
  return parts.join(' · ');
}

export function regionTone(r: RegionView): Tone | undefined {
  if (r.asg && r.asg.inService < r.asg.desired) return 'warn';
  return undefined;
}

export function clusterTitle(c: ClusterView): string {
  return `cluster ${c.profile} · updated ${c.updatedAt}`;
}

/** Where the Route 53 record points: which region's load balancer, or neither. */
export function dnsCell(dr: DrView): Cell | undefined {
  const d = dr.dns;
  if (!d) return undefined;
  if (d.error)
    return { text: `DNS ${d.record} → unknown (could not read: ${d.error})`, tone: 'warn' };
  const values = d.values.join(', ') || '(no record)';
  switch (d.target) {
    case 'primary':
      return { text: `DNS ${d.record} → the primary load balancer (${values})` };
    case 'dr':
      return { text: `DNS ${d.record} → the DR load balancer (${values})`, tone: 'warn' };
    case 'other':
      return { text: `DNS ${d.record} → ${values}: neither region's load balancer`, tone: 'fail' };
  }
}

/** A fence left undone: the primary's ASG wants instances while DNS names DR. */
export function strayPrimaryCell(dr: DrView): Cell | undefined {
  const g = dr.primaryAsgWhileDr;
  if (!g) return undefined;
  return {
    text: `primary ASG ${g.asg} wants ${g.desired} while DNS names DR: never unseal them; region-failback scales it to 0 first`,
    tone: 'fail',
  };
}

/**
 * What the DR bucket lacks: the primary's objects whose newest version DR does not hold, and
 * how long the oldest has waited. Unknown when a bucket does not answer (the region is down).
 */
export function replicationCell(dr: DrView): Cell | undefined {
  const r = dr.replication;
  if (!r) return undefined;
  if (r.error || r.pendingObjects < 0)
    return {
      text: `replication primary → DR: unknown (${r.error ?? 'not measured'})`,
      tone: 'warn',
    };
  if (r.cappedAt !== undefined) {
    const beyond = `unknown beyond the first ${r.cappedAt} keys (listing capped at ${r.cappedAt} per bucket)`;
    return {
      text:
        r.pendingObjects === 0
          ? `replication primary → DR: none pending in the keys read, ${beyond}`
          : `replication primary → DR: ≥ ${r.pendingObjects} object(s) pending, oldest ≥ ${r.lagSeconds} s, ${beyond}`,
      tone: 'warn',
    };
  }
  if (r.pendingObjects === 0) return { text: 'replication primary → DR: up to date', tone: 'ok' };
  return {
    text: `replication primary → DR: ${r.pendingObjects} object(s) pending, oldest ${r.lagSeconds} s`,
    tone: 'warn',
  };
}

/** A region's heading in a two-region pane: its ASG and who holds its own HA lock. */
export function regionHeading(r: RegionView): string {
  const parts = [`${r.name === 'dr' ? 'DR' : r.name} region`];
  parts.push(r.asg ? `ASG ${r.asg.inService}/${r.asg.desired} in service` : 'ASG —');
  parts.push(`HA lock ${r.haLockHolder ?? '—'}`);
  return parts.join(' · ');
}
