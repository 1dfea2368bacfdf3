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
