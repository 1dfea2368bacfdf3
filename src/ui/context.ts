import { createContext, useContext, useLayoutEffect } from 'react';
import { useStore } from 'zustand';
import type { KeyEvent } from './keys.js';
import type { UiActions, UiState, UiStore } from './store.js';

export const StoreContext = createContext<UiStore | null>(null);

export function useUiStore(): UiStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreContext is missing: render inside <App store={…}>');
  return store;
}

/** Reads the UI store; pass a selector wrapped in useShallow when it builds an object. */
export function useUi<T>(selector: (s: UiState & { actions: UiActions }) => T): T {
  return useStore(useUiStore(), selector);
}

export function useActions(): UiActions {
  return useUi((s) => s.actions);
}

export type KeyHandler = (event: KeyEvent) => void;

/**
 * One slot for the component that owns the keyboard below the app's global keys (the home
 * list or the open prompt). The app holds the only Ink input subscription and forwards here,
 * so a prompt that has just appeared already receives the next key: its handler is set in a
 * layout effect, before the frame that shows it reaches the terminal.
 */
export class KeyRouter {
  #handler: KeyHandler | undefined;
  set(handler: KeyHandler): () => void {
    this.#handler = handler;
    return () => {
      if (this.#handler === handler) this.#handler = undefined;
    };
  }
  dispatch(event: KeyEvent): void {
    this.#handler?.(event);
  }
}

export const KeyRouterContext = createContext<KeyRouter | null>(null);

export function useKeyHandler(handler: KeyHandler): void {
  const router = useContext(KeyRouterContext);
  useLayoutEffect(() => router?.set(handler), [router, handler]);
}

export type Tone = 'ok' | 'fail' | 'warn' | 'accent' | 'muted';

export interface Theme {
  /** An Ink color for a tone, or undefined when colour is off (NO_COLOR). */
  readonly color: (tone: Tone) => string | undefined;
}

const PALETTE: Record<Tone, string> = {
  ok: 'green',
  fail: 'red',
  warn: 'yellow',
  accent: 'cyan',
  muted: 'gray',
};

export function makeTheme(colors: boolean): Theme {
  return { color: (tone) => (colors ? PALETTE[tone] : undefined) };
}

/** Ink's bundled chalk ignores NO_COLOR, so colour is decided here (https://no-color.org). */
export function colorsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

export const ThemeContext = createContext<Theme>(makeTheme(true));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
