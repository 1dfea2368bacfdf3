import type { ClusterStatus } from '../domain/cluster.js';

/** What a status says about the cluster, without the time it was read. */
function fingerprint(s: ClusterStatus): string {
  return JSON.stringify({ ...s, updatedAt: '' });
}

export interface PollerOptions {
  /** The longest wait between rounds once nothing changes (default: 4 × the interval). */
  readonly maxIntervalMs?: number;
  /**
   * Calls onUpdate only when what the status says changed (a screen then re-renders only for
   * a change), but at least every `refreshMs` so the time it shows stays honest.
   */
  readonly onlyChanges?: { readonly refreshMs: number };
  /**
   * Until a first status is shown, the rounds are asked to preview the nodes that answered
   * (see StatusPreview): a screen shows rows without waiting for a slow node or region.
   */
  readonly preview?: StatusPreview;
}

/**
 * Shows a round's nodes before the round ends: the rows of the nodes that have answered, a
 * moment (`afterMs`) after the first answer, so one slow node or region does not hold back the
 * others' rows. A round that ends within that moment shows no preview (a screen's redraw costs
 * more than the wait). A preview holds only what nodes answered — no row for a node not yet
 * heard, no lock holder — and is for a screen only, never a run's view of the cluster.
 */
export interface StatusPreview {
  readonly afterMs: number;
  readonly show: (partial: ClusterStatus) => void;
}

/**
 * Polls in the background; a slow round is never overlapped by the next one. Rounds are never
 * closer than the interval; while the cluster stays the same the wait doubles up to the
 * maximum (an idle screen costs little), and the first change brings it back to the interval.
 */
export class StatusPoller {
  readonly #ctl = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #last: string | undefined;
  #delay: number;
  readonly #max: number;
  readonly #onlyChanges: PollerOptions['onlyChanges'];
  #shownAt = -Infinity;
  readonly #preview: StatusPreview | undefined;
  constructor(
    readonly collect: (signal: AbortSignal, preview?: StatusPreview) => Promise<ClusterStatus>,
    readonly onUpdate: (s: ClusterStatus) => void,
    readonly intervalMs = 1000,
    opts: PollerOptions = {},
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0)
      throw new RangeError(`poll interval must be a positive number of ms, not ${intervalMs}`);
    this.#delay = intervalMs;
    this.#max = Math.max(intervalMs, opts.maxIntervalMs ?? intervalMs * 4);
    this.#onlyChanges = opts.onlyChanges;
    this.#preview = opts.preview;
  }
  /** The wait before the next round. */
  get delayMs(): number {
    return this.#delay;
  }
  start(): void {
    const tick = async (): Promise<void> => {
      try {
        const first = this.#shownAt === -Infinity;
        const s = await this.collect(this.#ctl.signal, first ? this.#preview : undefined);
        const f = fingerprint(s);
        const same = f === this.#last;
        this.#delay = same ? Math.min(this.#max, this.#delay * 2) : this.intervalMs;
        this.#last = f;
        const now = Date.now();
        if (!same || !this.#onlyChanges || now - this.#shownAt >= this.#onlyChanges.refreshMs) {
          this.#shownAt = now;
          this.onUpdate(s);
        }
      } catch {
        // a failed round is retried after the interval
        this.#delay = this.intervalMs;
      }
      if (!this.#ctl.signal.aborted) this.#timer = setTimeout(() => void tick(), this.#delay);
    };
    void tick();
  }
  stop(): void {
    this.#ctl.abort();
    if (this.#timer) clearTimeout(this.#timer);
  }
}
