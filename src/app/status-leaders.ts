import type { NodeStatus } from '../domain/cluster.js';

/**
 * Each region's lock holder, kept from a round to the next while that region's rows are the
 * same and one of its nodes answers health as the active node (200) — that node holds the lock,
 * so asking sys/leader again would only say so again. Any change in the region's rows (a node
 * sealed, gone, upgraded, another one active, a code other than 200) asks at once, in the same
 * round, so a new holder shows within the round that saw it. Without an active node among the
 * rows (the holder is a node the profile does not list) every round asks. The holder is asked
 * again at least every `maxAgeMs` whatever the rows say.
 */
export class LeaderMemo {
  readonly #held = new Map<string, { key: string; at: number; holder: string | undefined }>();
  constructor(
    readonly maxAgeMs = 15_000,
    readonly clock: () => number = () => performance.now(),
  ) {}
  /** The holder kept for a region whose rows are `rows` now, if it may be reused. */
  get(region: string, rows: readonly NodeStatus[]): { holder: string | undefined } | undefined {
    const held = this.#held.get(region);
    if (!held || held.key !== regionKey(rows) || this.clock() - held.at >= this.maxAgeMs)
      return undefined;
    return { holder: held.holder };
  }
  set(region: string, rows: readonly NodeStatus[], holder: string | undefined): void {
    const active = rows.filter((n) => n.reachable && n.healthCode === 200).length === 1;
    if (active && holder)
      this.#held.set(region, { key: regionKey(rows), at: this.clock(), holder });
    else this.#held.delete(region);
  }
}

/** What of a region's rows the lock holder goes with: who answers, how, on what version. */
function regionKey(rows: readonly NodeStatus[]): string {
  return JSON.stringify(
    rows.map((n) => [n.name, n.address, n.reachable, n.sealed, n.healthCode, n.version]),
  );
}
