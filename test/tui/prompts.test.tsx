import { randomBytes } from 'node:crypto';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import type { HumanAnswer, HumanPrompt } from '../../src/engine/human.js';
import { App } from '../../src/ui/App.js';
import { createUiStore, nullActions, type RunView, type UiActions } from '../../src/ui/store.js';
import { KEY, press, renderTerm, type, waitForFrame, type Term } from './helpers.js';

afterEach(() => cleanup());

const RUN: RunView = {
  runId: 'drill-1',
  title: 'Drill',
  description: '',
  dryRun: false,
  steps: [
    {
      id: 'ask',
      title: 'Ask a person',
      description: '',
      status: 'awaiting-human',
      detail: '',
      attempt: 1,
      durationMs: 0,
      human: true,
      destructive: false,
    },
  ],
  currentStepId: 'ask',
  output: {},
  status: 'running',
};

/** The app showing one prompt; answers are recorded instead of reaching an engine. */
async function showPrompt(prompt: HumanPrompt): Promise<{ term: Term; answers: HumanAnswer[] }> {
  const answers: HumanAnswer[] = [];
  const actions: UiActions = {
    ...nullActions,
    answer: (seq, a) => (seq === 7 ? answers.push(a) : undefined),
  };
  const store = createUiStore(
    { screen: 'run', run: RUN, prompt: { seq: 7, stepId: 'ask', prompt } },
    actions,
  );
  const term = renderTerm(<App store={store} />);
  await waitForFrame(term, prompt.message);
  return { term, answers };
}

describe('prompts', () => {
  it('Given a confirm defaulting to no, When enter is pressed, Then the answer is no', async () => {
    const { term, answers } = await showPrompt({
      type: 'confirm',
      message: 'Proceed?',
      default: false,
    });
    expect(term.lastFrame()).toContain('[y/N]');
    term.stdin.write(KEY.enter);
    await waitForFrame(term, () => answers.length > 0);
    expect(answers).toEqual([{ type: 'confirm', value: false }]);
  });

  it('Given an input with a pattern, When a bad value is submitted, Then the pattern error shows; When fixed, Then it answers', async () => {
    const { term, answers } = await showPrompt({
      type: 'input',
      message: 'Version?',
      pattern: '\\d+\\.\\d+\\.\\d+',
    });
    await type(term.stdin, '1.2');
    expect(await press(term.stdin, KEY.enter)).toContain("'1.2' does not match");
    expect(answers).toEqual([]);
    await type(term.stdin, '.3');
    term.stdin.write(KEY.enter);
    await waitForFrame(term, () => answers.length > 0);
    expect(answers).toEqual([{ type: 'input', value: '1.2.3' }]);
  });

  it('Given a choice, When ↓ moves the cursor, Then the highlighted option’s description shows', async () => {
    const { term, answers } = await showPrompt({
      type: 'choose',
      message: 'Which region?',
      options: [
        { value: 'east', label: 'East', description: 'the primary' },
        { value: 'west', label: 'West', description: 'the DR region' },
      ],
    });
    expect(term.lastFrame()).toContain('the primary');
    const frame = await press(term.stdin, KEY.down);
    expect(frame).toContain('› West');
    expect(frame).toContain('the DR region');
    term.stdin.write(KEY.enter);
    await waitForFrame(term, () => answers.length > 0);
    expect(answers).toEqual([{ type: 'choose', value: 'west' }]);
  });

  it('Given a checklist, When enter is pressed with an item unticked, Then it refuses, and answers once all are ticked', async () => {
    const { term, answers } = await showPrompt({
      type: 'checklist',
      message: 'Before you go on',
      items: ['backup taken', 'team told'],
    });
    expect(await press(term.stdin, KEY.space)).toContain('[x] backup taken');
    expect(await press(term.stdin, KEY.enter)).toContain('1 of 2 ticked');
    expect(answers).toEqual([]);
    await press(term.stdin, KEY.down);
    expect(await press(term.stdin, KEY.space)).toContain('[x] team told');
    term.stdin.write(KEY.enter);
    await waitForFrame(term, () => answers.length > 0);
    expect(answers).toEqual([{ type: 'checklist', checked: ['backup taken', 'team told'] }]);
  });

  it('Given a secret with confirmation, When it is typed twice the same, Then the answer is a Secret and no frame shows it', async () => {
    const { term, answers } = await showPrompt({
      type: 'secret',
      message: 'Root token',
      label: 'token',
      confirm: true,
    });
    const value = 'hvs.q?y-n-SECRET-value';
    expect(await type(term.stdin, value)).toContain('•'.repeat(value.length));
    expect(await press(term.stdin, KEY.enter)).toContain('type the token again');
    await type(term.stdin, 'nope');
    expect(await press(term.stdin, KEY.enter)).toContain('the two entries differ');
    await type(term.stdin, value);
    await press(term.stdin, KEY.enter);
    await type(term.stdin, value);
    term.stdin.write(KEY.enter);
    await waitForFrame(term, () => answers.length > 0);
    const a = answers[0];
    expect(a?.type).toBe('secret');
    expect(a?.type === 'secret' && a.value instanceof Secret && a.value.reveal()).toBe(value);
    expect(term.frames.join('')).not.toContain('SECRET');
    expect(term.frames.join('')).not.toContain('Keys'); // '?' was text, not the help key
  });

  it('Given a secret prompt, When a share is pasted with its newline and a held backspace arrives as one chunk, Then both take effect and exactly one answer is given', async () => {
    const { term, answers } = await showPrompt({
      type: 'secret',
      message: 'Unseal share',
      label: 'share',
    });
    const share = randomBytes(10).toString('hex'); // only keys are tested here, no Vault
    // One read of stdin each: what a terminal delivers for a paste, and for a held key.
    term.stdin.write(`${share}XYZ`);
    await waitForFrame(term, '•'.repeat(share.length + 3));
    term.stdin.write('\x7f\x7f\x7f');
    await waitForFrame(term, (f) => /› •+/.exec(f)?.[0] === `› ${'•'.repeat(share.length)}`);
    // A trailing newline, and a second line that must not become a second answer.
    term.stdin.write('\r\nsecond-line\r');
    await waitForFrame(term, () => answers.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(answers).toHaveLength(1);
    const a = answers[0];
    expect(a?.type === 'secret' && a.value.reveal()).toBe(share);
    expect(term.frames.join('')).not.toContain(share);
  });

  it('Given a step with an abort warning, When Ctrl-C is pressed twice, Then the warning shows and the run goes on; only y aborts', async () => {
    const calls: string[] = [];
    const store = createUiStore({
      screen: 'run',
      run: {
        ...RUN,
        steps: RUN.steps.map((st) => ({ ...st, abortWarning: 'Shares not handed out are lost.' })),
      },
      prompt: { seq: 7, stepId: 'ask', prompt: { type: 'confirm', message: 'Go on?' } },
    });
    const actions: UiActions = {
      ...nullActions,
      requestAbort: () => {
        calls.push('request');
        store.setState({ confirmingAbort: true });
      },
      confirmAbort: () => calls.push('confirm'),
    };
    store.setState({ actions });
    const term = renderTerm(<App store={store} />);
    await waitForFrame(term, 'Go on?');
    term.stdin.write(KEY.ctrlC);
    const frame = await waitForFrame(term, 'Shares not handed out are lost.');
    expect(frame).toContain('Ctrl-C does not confirm here');
    term.stdin.write(KEY.ctrlC);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual(['request']);
    term.stdin.write('y');
    await waitForFrame(term, () => calls.length === 2);
    expect(calls).toEqual(['request', 'confirm']);
  });

  it('Given instructions, When enter is pressed, Then they are acknowledged', async () => {
    const { term, answers } = await showPrompt({
      type: 'instructions',
      message: 'Rotate the badge',
      ack: 'Rotated',
    });
    expect(term.lastFrame()).toContain('Rotated');
    term.stdin.write(KEY.enter);
    await waitForFrame(term, () => answers.length > 0);
    expect(answers).toEqual([{ type: 'instructions', done: true }]);
  });

  it('Given a destructive step, When the wrong name is typed, Then it shows the expected name and refuses', async () => {
    const { term, answers } = await showPrompt({
      type: 'destructive',
      message: 'Terminate node-2?',
      expect: 'prod-east',
    });
    expect(term.lastFrame()).toContain('type the cluster name prod-east to go on');
    await type(term.stdin, 'prod');
    expect(await press(term.stdin, KEY.enter)).toContain("type exactly 'prod-east'");
    await type(term.stdin, '-east');
    term.stdin.write(KEY.enter);
    await waitForFrame(term, () => answers.length > 0);
    expect(answers).toEqual([{ type: 'destructive', typed: 'prod-east' }]);
  });
});
