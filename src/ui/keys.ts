import type { HumanPrompt } from '../engine/human.js';
import type { UiState } from './store.js';

/**
 * Every key binding of the TUI, as data. The hint line, the help overlay and the input router
 * all read this table, so a binding cannot exist without being documented on screen.
 */

/** Where the keyboard is: one screen, one prompt type, or one overlay at a time. */
export type KeyContext =
  'home' | 'run' | 'finished' | HumanPrompt['type'] | 'abort' | 'abort-guarded' | 'help';

export type BindingId =
  | 'quit'
  | 'abort'
  | 'confirm-abort'
  | 'cancel-abort'
  | 'help'
  | 'close-help'
  | 'home'
  | 'up'
  | 'down'
  | 'start'
  | 'yes'
  | 'no'
  | 'accept-default'
  | 'submit'
  | 'toggle'
  | 'erase'
  | 'ack'
  | 'copy'
  | 'recorded';

export type KeySpec =
  | { readonly name: 'up' | 'down' | 'return' | 'escape' | 'backspace' | 'space' }
  | { readonly char: string }
  | { readonly ctrl: string };

export interface Binding {
  readonly id: BindingId;
  readonly keys: readonly KeySpec[];
  readonly label: string;
  readonly contexts: readonly KeyContext[];
  /** Shown in the key-hint line (the help overlay lists every binding regardless). */
  readonly hint?: boolean;
  /** How the help overlay names the contexts, when listing them would be a mouthful. */
  readonly where?: string;
}

/** Prompt types where printable keys are text, so single-letter bindings must stay out. */
export const TEXT_CONTEXTS: readonly KeyContext[] = ['input', 'secret', 'destructive'];
const PROMPTS: readonly KeyContext[] = [
  'confirm',
  'input',
  'choose',
  'checklist',
  'secret',
  'instructions',
  'destructive',
  'handoff',
];
const RUNNING: readonly KeyContext[] = ['run', ...PROMPTS];
const HELPFUL: readonly KeyContext[] = [
  'home',
  'run',
  'finished',
  'confirm',
  'choose',
  'checklist',
  'instructions',
];

const ctrlC: KeySpec = { ctrl: 'c' };
const enter: KeySpec = { name: 'return' };
const esc: KeySpec = { name: 'escape' };

export const BINDINGS: readonly Binding[] = [
  { id: 'up', keys: [{ name: 'up' }], label: 'move up', contexts: ['home', 'choose', 'checklist'] },
  {
    id: 'down',
    keys: [{ name: 'down' }],
    label: 'move down',
    contexts: ['home', 'choose', 'checklist'],
  },
  { id: 'start', keys: [enter], label: 'run runbook', contexts: ['home'] },
  { id: 'yes', keys: [{ char: 'y' }, { char: 'Y' }], label: 'yes', contexts: ['confirm'] },
  { id: 'no', keys: [{ char: 'n' }, { char: 'N' }], label: 'no', contexts: ['confirm'] },
  { id: 'accept-default', keys: [enter], label: 'default', contexts: ['confirm'] },
  { id: 'toggle', keys: [{ name: 'space' }], label: 'tick', contexts: ['checklist'] },
  {
    id: 'submit',
    keys: [enter],
    label: 'submit',
    contexts: ['input', 'choose', 'checklist', 'secret', 'destructive'],
  },
  {
    id: 'erase',
    keys: [{ name: 'backspace' }],
    label: 'erase',
    contexts: TEXT_CONTEXTS,
    hint: false,
  },
  { id: 'ack', keys: [enter], label: 'done', contexts: ['instructions'] },
  { id: 'copy', keys: [{ char: 'c' }], label: 'copy to the clipboard', contexts: ['handoff'] },
  { id: 'recorded', keys: [enter], label: 'I have recorded it', contexts: ['handoff'] },
  { id: 'home', keys: [enter, { char: 'h' }], label: 'home', contexts: ['finished'] },
  {
    id: 'abort',
    keys: [ctrlC],
    label: 'abort run',
    contexts: RUNNING,
    where: 'while a run is going',
  },
  {
    id: 'confirm-abort',
    keys: [{ char: 'y' }, { char: 'Y' }, ctrlC],
    label: 'abort',
    contexts: ['abort'],
  },
  // A step whose abort loses something (shares not yet handed out): only a deliberate y.
  {
    id: 'confirm-abort',
    keys: [{ char: 'y' }, { char: 'Y' }],
    label: 'abort',
    contexts: ['abort-guarded'],
  },
  {
    id: 'cancel-abort',
    keys: [{ char: 'n' }, { char: 'N' }, esc, enter],
    label: 'keep running',
    contexts: ['abort', 'abort-guarded'],
    where: 'abort prompts',
  },
  {
    id: 'help',
    keys: [{ char: '?' }],
    label: 'help',
    contexts: HELPFUL,
    where: 'everywhere but text, secret and abort prompts',
  },
  // Ctrl-C backs out of the overlay first, so a second Ctrl-C reaches the abort prompt.
  { id: 'close-help', keys: [{ char: '?' }, esc, ctrlC], label: 'close help', contexts: ['help'] },
  { id: 'quit', keys: [{ char: 'q' }, ctrlC], label: 'quit', contexts: ['home', 'finished'] },
];

/** The subset of Ink's `Key` the router looks at. */
export interface KeyFlags {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly tab?: boolean;
}

/** What a keypress means in a context: a binding, typed text, or nothing. */
export type KeyEvent = { readonly id: BindingId } | { readonly text: string };

function matches(spec: KeySpec, input: string, key: KeyFlags): boolean {
  if ('ctrl' in spec) return key.ctrl === true && input === spec.ctrl;
  if ('char' in spec) return key.ctrl !== true && key.meta !== true && input === spec.char;
  switch (spec.name) {
    case 'up':
      return key.upArrow === true;
    case 'down':
      return key.downArrow === true;
    case 'return':
      return key.return === true;
    case 'escape':
      return key.escape === true;
    // Terminals send DEL (0x7f) for the backspace key; Ink reports that as `delete`.
    case 'backspace':
      return key.backspace === true || key.delete === true;
    case 'space':
      return input === ' ' && key.ctrl !== true;
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function resolveKey(
  context: KeyContext,
  input: string,
  key: KeyFlags,
): KeyEvent | undefined {
  const binding = BINDINGS.find(
    (b) => b.contexts.includes(context) && b.keys.some((k) => matches(k, input, key)),
  );
  if (binding) return { id: binding.id };
  if (
    TEXT_CONTEXTS.includes(context) &&
    input.length > 0 &&
    key.ctrl !== true &&
    key.meta !== true &&
    key.tab !== true &&
    !CONTROL.test(input)
  )
    return { text: input };
  return undefined;
}

/**
 * One chunk of terminal input as the keypresses in it. Ink splits escape sequences (arrows)
 * but hands over "abc\r" (a paste ending in a newline, or fast typing over ssh) and "\x7f\x7f"
 * (a held backspace) as one string whose flags describe none of it, so those were dropped.
 * Printable runs stay together; each control character becomes its own key.
 */
export function splitInput(input: string, key: KeyFlags): { input: string; key: KeyFlags }[] {
  if (input.length <= 1 || !CONTROL.test(input) || key.meta === true) return [{ input, key }];
  const out: { input: string; key: KeyFlags }[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ input: text, key: {} });
    text = '';
  };
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    const code = ch.charCodeAt(0);
    if (!CONTROL.test(ch)) {
      text += ch;
      continue;
    }
    flush();
    if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      out.push({ input: '', key: { return: true } });
    } else if (ch === '\x7f' || ch === '\b') out.push({ input: '', key: { backspace: true } });
    else if (ch === '\t') out.push({ input: '', key: { tab: true } });
    else if (code >= 1 && code <= 26)
      out.push({ input: String.fromCharCode(code + 96), key: { ctrl: true } });
  }
  flush();
  return out;
}

export function keyLabel(spec: KeySpec): string {
  if ('ctrl' in spec) return `Ctrl-${spec.ctrl.toUpperCase()}`;
  if ('char' in spec) return spec.char;
  switch (spec.name) {
    case 'up':
      return '↑';
    case 'down':
      return '↓';
    case 'return':
      return 'enter';
    case 'escape':
      return 'esc';
    case 'backspace':
      return 'backspace';
    case 'space':
      return 'space';
  }
}

/** Keys of a binding as shown to a person; upper-case letter twins are implied. */
export function keysLabel(b: Binding): string {
  const shown = b.keys.filter(
    (k) =>
      !(
        'char' in k &&
        k.char !== k.char.toLowerCase() &&
        b.keys.some((o) => 'char' in o && o.char === k.char.toLowerCase())
      ),
  );
  return shown.map(keyLabel).join('/');
}

export function bindingsFor(context: KeyContext): Binding[] {
  return BINDINGS.filter((b) => b.contexts.includes(context));
}

/** The key-hint line at the bottom of every screen. */
export function hintLine(context: KeyContext): string {
  const parts = bindingsFor(context)
    .filter((b) => b.hint !== false)
    .map((b) => `${keysLabel(b)} ${b.label}`);
  if (TEXT_CONTEXTS.includes(context)) parts.unshift('type to enter');
  return parts.join(' · ');
}

const CONTEXT_NAMES: Record<KeyContext, string> = {
  home: 'runbook list',
  run: 'running step',
  finished: 'finished run',
  confirm: 'yes/no question',
  input: 'text entry',
  choose: 'choice',
  checklist: 'checklist',
  secret: 'secret entry',
  instructions: 'instructions',
  destructive: 'destructive step',
  handoff: 'keyholder handoff',
  abort: 'abort prompt',
  'abort-guarded': 'abort prompt of a step with an abort warning',
  help: 'this help',
};

export interface HelpRow {
  readonly keys: string;
  readonly label: string;
  readonly where: string;
}

/** Every binding, for the help overlay. */
export function helpRows(): HelpRow[] {
  return BINDINGS.map((b) => ({
    keys: keysLabel(b),
    label: b.label,
    where: b.where ?? b.contexts.map((c) => CONTEXT_NAMES[c]).join(', '),
  }));
}

/** Which bindings apply right now. Overlays win over prompts, prompts over the screen. */
export function keyContext(
  state: Pick<UiState, 'screen' | 'confirmingAbort' | 'run' | 'prompt'>,
  helpOpen: boolean,
): KeyContext {
  if (helpOpen) return 'help';
  if (state.confirmingAbort)
    return state.run?.steps.find((s) => s.id === state.run?.currentStepId)?.abortWarning
      ? 'abort-guarded'
      : 'abort';
  if (state.screen === 'home') return 'home';
  if (state.run?.result) return 'finished';
  if (state.prompt) return state.prompt.prompt.type;
  return 'run';
}
