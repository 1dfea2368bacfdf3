import type { ClusterView } from '../store.js';
import { byKey, moveCursor } from '../prompts/state.js';

export interface HomeState {
  readonly cursor: number;
  readonly count: number;
}

/** ↑/↓ move through the runbooks; enter yields the index to start. */
export const reduceHome = byKey<HomeState, number>({
  up: (s) => ({ state: { ...s, cursor: moveCursor(s.cursor, -1, s.count) } }),
  down: (s) => ({ state: { ...s, cursor: moveCursor(s.cursor, 1, s.count) } }),
  start: (s) => (s.count > 0 ? { state: s, result: s.cursor } : { state: s }),
});

/**
 * The status pane's height in lines: its frame and title, a line per node and per node error,
 * the region lines; with a DR region its nodes, errors and the DNS and replication lines.
 * `drCompact`: the two regions' three-line form on a short terminal.
 */
export function statusPaneRows(cluster: ClusterView | undefined, drCompact: boolean): number {
  if (drCompact) return 7;
  if (!cluster) return 3;
  const errors = (ns: readonly { readonly error?: string }[]): number =>
    ns.filter((n) => n.error).length;
  const dr = cluster.dr ? cluster.dr.nodes.length + errors(cluster.dr.nodes) + 2 : 0;
  return 4 + cluster.nodes.length + errors(cluster.nodes) + cluster.regions.length + dr;
}
