import type { Secret } from '../domain/secret.js';

/** What a person is asked. A typed union: the TUI and the headless answerer both switch on it. */
export type HumanPrompt =
  | {
      type: 'confirm';
      message: string;
      default?: boolean;
      /**
       * The --answers key of this question when its step asks more than one (the step's own
       * key holds the destructive confirmation): `<step-id>.<name>`. Default: the step id.
       */
      answerKey?: string;
    }
  | { type: 'input'; message: string; placeholder?: string; pattern?: string; default?: string }
  | { type: 'choose'; message: string; options: ChoiceOption[] }
  | { type: 'checklist'; message: string; items: string[] }
  | { type: 'secret'; message: string; label: string; confirm?: boolean }
  | { type: 'instructions'; message: string; ack: string }
  | { type: 'destructive'; message: string; expect: string }
  | HandoffPrompt;

/**
 * A secret shown to one person: `holder` has the keyboard, the secret stays on screen until
 * they say they have recorded it (then they prove it by typing its last `proofLength`
 * characters, a separate masked prompt). Only an interactive screen can answer it: a pipe
 * must never receive an unseal share.
 */
export interface HandoffPrompt {
  readonly type: 'handoff';
  readonly message: string;
  readonly holder: string;
  /** What is handed over, e.g. "unseal share 2 of 5". */
  readonly label: string;
  readonly secret: Secret;
  readonly proofLength: number;
  /** A clipboard is available; copies are cleared after `clearAfterSeconds`. */
  readonly copyable: boolean;
  readonly clearAfterSeconds: number;
  /** Asked again after a copy or a wrong proof: open on the secret, not the "pass the keyboard" page. */
  readonly reopen?: { readonly copied?: boolean; readonly error?: string };
}

export interface ChoiceOption {
  readonly value: string;
  readonly label: string;
  readonly description?: string;
}

export type HumanAnswer =
  | { type: 'confirm'; value: boolean }
  | { type: 'input'; value: string }
  | { type: 'choose'; value: string }
  | { type: 'checklist'; checked: string[] }
  | { type: 'secret'; value: Secret }
  | { type: 'instructions'; done: true }
  | { type: 'destructive'; typed: string }
  | { type: 'handoff'; action: 'copy' | 'recorded' };

export type AnswerFor<P extends HumanPrompt> = Extract<HumanAnswer, { type: P['type'] }>;

/** The journal's view of an answer: who said what, with secrets reduced to the fact of entry. */
export function summarizeAnswer(a: HumanAnswer): unknown {
  switch (a.type) {
    case 'confirm':
      return a.value ? 'yes' : 'no';
    case 'input':
    case 'choose':
      return a.value;
    case 'checklist':
      return a.checked;
    case 'secret':
      return '‹redacted›';
    case 'instructions':
      return 'done';
    case 'destructive':
      return a.typed;
    case 'handoff':
      return a.action === 'copy' ? 'copied to the clipboard' : 'recorded';
  }
}
