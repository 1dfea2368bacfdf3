import type { KeyEvent } from '../keys.js';
import { moveCursor } from '../prompts/state.js';
import type { Reduced } from '../prompts/use-key-reducer.js';

export interface HomeState {
  readonly cursor: number;
  readonly count: number;
}

/** ↑/↓ move through the runbooks; enter yields the index to start. */
export function reduceHome(s: HomeState, e: KeyEvent): Reduced<HomeState, number> {
  if ('text' in e) return { state: s };
  switch (e.id) {
    case 'up':
      return { state: { ...s, cursor: moveCursor(s.cursor, -1, s.count) } };
    case 'down':
      return { state: { ...s, cursor: moveCursor(s.cursor, 1, s.count) } };
    case 'start':
      return s.count > 0 ? { state: s, result: s.cursor } : { state: s };
    default:
      return { state: s };
  }
}
