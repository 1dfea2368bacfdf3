import type { StepView } from '../store.js';

export interface StepWindow {
  /** Finished steps folded into one summary line above the list. */
  readonly foldedDone: number;
  readonly rows: readonly StepView[];
  readonly hiddenAfter: number;
}

/**
 * The rows of the step list that fit: the current step stays visible with what comes next,
 * and steps already behind it are folded into a count when space runs out.
 */
export function stepWindow(
  steps: readonly StepView[],
  currentId: string | undefined,
  maxRows: number,
): StepWindow {
  if (steps.length <= maxRows) return { foldedDone: 0, rows: steps, hiddenAfter: 0 };
  const room = Math.max(1, maxRows - 2); // one line each for the folded and hidden summaries
  const cur = Math.max(
    0,
    steps.findIndex((s) => s.id === currentId),
  );
  const start = Math.min(Math.max(0, cur - 1), Math.max(0, steps.length - room));
  const rows = steps.slice(start, start + room);
  return { foldedDone: start, rows, hiddenAfter: steps.length - start - rows.length };
}
