import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useKeyHandler } from '../context.js';
import type { KeyEvent } from '../keys.js';

/** A pure prompt reducer: the next state, and the answer once the person is done. */
export type Reduced<S, R> = { readonly state: S; readonly result?: R };

/**
 * Binds a pure reducer to the keyboard. The full state lives in a ref and only `view(state)`
 * goes into React state, so a prompt can keep typed plaintext out of anything that renders.
 * Reading the ref (not a render closure) also keeps two keys in one chunk from racing.
 */
export function useKeyReducer<S, V, R>(
  reduce: (state: S, event: KeyEvent) => Reduced<S, R>,
  init: () => S,
  view: (state: S) => V,
  onResult: (result: R) => void,
): V {
  const [initial] = useState(init);
  const state = useRef(initial);
  const [shown, setShown] = useState(() => view(initial));
  const done = useRef(onResult);
  useLayoutEffect(() => {
    done.current = onResult;
  }, [onResult]);
  const handler = useCallback(
    (event: KeyEvent) => {
      const next = reduce(state.current, event);
      state.current = next.state;
      setShown(view(next.state));
      if (next.result !== undefined) done.current(next.result);
    },
    [reduce, view],
  );
  useKeyHandler(handler);
  return shown;
}
