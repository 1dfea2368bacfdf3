import type { PromptView } from '../store.js';
import { Checklist } from './Checklist.js';
import { Choose } from './Choose.js';
import { Confirm } from './Confirm.js';
import { Destructive } from './Destructive.js';
import { Handoff } from './Handoff.js';
import { Input } from './Input.js';
import { Instructions } from './Instructions.js';
import { SecretPrompt } from './SecretPrompt.js';

/** The open question, one component per prompt type; `key` resets its state per question. */
export function Prompt({ view }: { view: PromptView }) {
  const { seq, prompt } = view;
  switch (prompt.type) {
    case 'confirm':
      return <Confirm key={seq} seq={seq} prompt={prompt} />;
    case 'input':
      return <Input key={seq} seq={seq} prompt={prompt} />;
    case 'choose':
      return <Choose key={seq} seq={seq} prompt={prompt} />;
    case 'checklist':
      return <Checklist key={seq} seq={seq} prompt={prompt} />;
    case 'secret':
      return <SecretPrompt key={seq} seq={seq} prompt={prompt} />;
    case 'instructions':
      return <Instructions key={seq} seq={seq} prompt={prompt} />;
    case 'destructive':
      return <Destructive key={seq} seq={seq} prompt={prompt} />;
    case 'handoff':
      return <Handoff key={seq} seq={seq} prompt={prompt} />;
  }
}
