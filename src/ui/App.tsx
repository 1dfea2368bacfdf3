import { Box, useInput, type Key } from 'ink';
import { useCallback, useRef, useState } from 'react';
import {
  KeyRouter,
  KeyRouterContext,
  makeTheme,
  StoreContext,
  ThemeContext,
  useUi,
  useUiStore,
  type Theme,
} from './context.js';
import { AbortOverlay } from './common/AbortOverlay.js';
import { ErrorPanel } from './common/ErrorPanel.js';
import { HelpOverlay } from './common/HelpOverlay.js';
import { HintLine } from './common/HintLine.js';
import { Home } from './home/Home.js';
import { keyContext, resolveKey, splitInput, type KeyFlags } from './keys.js';
import { RunScreen } from './run/RunScreen.js';
import type { UiStore } from './store.js';

/**
 * The app's only keyboard subscription: global bindings are handled here, the rest goes to
 * whichever component holds the router (the home list or the open prompt).
 */
function useGlobalKeys(
  router: KeyRouter,
  helpOpen: { current: boolean },
  setHelp: (open: boolean) => void,
): void {
  const store = useUiStore();
  // Not memoised: it reads only the store and refs, so every render's copy behaves the same.
  const handle = (input: string, key: KeyFlags): boolean => {
    const state = store.getState();
    const event = resolveKey(keyContext(state, helpOpen.current), input, key);
    if (!event) return true;
    if ('text' in event) {
      router.dispatch(event);
      return true;
    }
    switch (event.id) {
      case 'help':
        setHelp(true);
        break;
      case 'close-help':
        setHelp(false);
        break;
      case 'abort':
        state.actions.requestAbort();
        break;
      case 'confirm-abort':
        state.actions.confirmAbort();
        break;
      case 'cancel-abort':
        state.actions.cancelAbort();
        break;
      case 'quit':
        state.actions.quit();
        break;
      case 'home':
        state.actions.goHome();
        break;
      case 'erase':
        router.dispatch(event);
        return true;
      case 'up':
      case 'down':
      case 'start':
      case 'yes':
      case 'no':
      case 'accept-default':
      case 'submit':
      case 'toggle':
      case 'ack':
      case 'copy':
      case 'recorded':
        router.dispatch(event);
        break;
    }
    // Anything but typing may change the screen; keys after it in the same chunk would reach
    // a prompt that is already answered, so they are dropped.
    return false;
  };
  // Not memoised: it reads only the store and refs, so every render's copy behaves the same.
  useInput((input: string, key: Key) => {
    for (const k of splitInput(input, key)) if (!handle(k.input, k.key)) return;
  });
}

function Shell({ router }: { router: KeyRouter }) {
  const [help, setHelpState] = useState(false);
  // The key handler reads the ref: a second key can arrive before React re-renders.
  const helpOpen = useRef(false);
  const setHelp = useCallback((open: boolean) => {
    helpOpen.current = open;
    setHelpState(open);
  }, []);
  useGlobalKeys(router, helpOpen, setHelp);
  const screen = useUi((s) => s.screen);
  const confirmingAbort = useUi((s) => s.confirmingAbort);
  const abortWarning = useUi(
    (s) => s.run?.steps.find((st) => st.id === s.run?.currentStepId)?.abortWarning,
  );
  const context = useUi((s) => keyContext(s, help));
  return (
    <Box flexDirection="column">
      {/* Hidden, not unmounted, under the help overlay: the list keeps its cursor, a prompt its text. */}
      <Box flexDirection="column" display={help ? 'none' : 'flex'}>
        {screen === 'home' ? <Home /> : <RunScreen />}
      </Box>
      {help ? <HelpOverlay /> : null}
      {confirmingAbort ? <AbortOverlay warning={abortWarning} /> : null}
      <ErrorPanel />
      <HintLine context={context} />
    </Box>
  );
}

export function App({ store, theme }: { store: UiStore; theme?: Theme }) {
  const [router] = useState(() => new KeyRouter());
  const [fallbackTheme] = useState(() => makeTheme(true));
  return (
    <StoreContext.Provider value={store}>
      <ThemeContext.Provider value={theme ?? fallbackTheme}>
        <KeyRouterContext.Provider value={router}>
          <Shell router={router} />
        </KeyRouterContext.Provider>
      </ThemeContext.Provider>
    </StoreContext.Provider>
  );
}
