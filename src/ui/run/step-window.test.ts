import { describe, expect, it } from 'vitest';
import type { StepView } from '../store.js';
import { stepWindow } from './step-window.js';

const step = (id: string): StepView => ({
  id,
  title: id,
  description: '',
  status: 'pending',
  detail: '',
  attempt: 0,
  durationMs: 0,
  human: false,
  destructive: false,
});
const steps = Array.from({ length: 20 }, (_, i) => step(`s${i}`));

describe('step window', () => {
  it('Given few steps, When they fit, Then all are shown', () => {
    expect(stepWindow(steps.slice(0, 5), 's2', 10)).toEqual({
      foldedDone: 0,
      rows: steps.slice(0, 5),
      hiddenAfter: 0,
    });
  });

  it('Given many steps, When the current one is in the middle, Then earlier ones fold and the current one stays visible', () => {
    const w = stepWindow(steps, 's10', 8);
    expect(w.rows.map((s) => s.id)).toEqual(['s9', 's10', 's11', 's12', 's13', 's14']);
    expect(w.foldedDone).toBe(9);
    expect(w.hiddenAfter).toBe(5);
  });

  it('Given many steps, When the current one is last, Then the window ends at the last step', () => {
    const w = stepWindow(steps, 's19', 8);
    expect(w.rows.at(-1)?.id).toBe('s19');
    expect(w.hiddenAfter).toBe(0);
  });
});
