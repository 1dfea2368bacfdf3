import { describe, expect, it } from 'vitest';
import { runbookFrom } from '../test-support/fakes.js';
import { HumanWaitingError } from '../engine/interpreter.js';
import { ScriptedHuman } from './answers.js';
import { validateAnswers } from './validate-answers.js';

const active = {
  type: 'confirm' as const,
  message: 'node-1 is the ACTIVE node. Terminate it?',
  default: false,
  answerKey: 'replace.active',
};

describe('a second question of one step, headless', () => {
  it('Given replace confirmed by the cluster name and replace.active: yes, When the step asks whether to terminate the active node, Then the answer is its own key’s yes, not the cluster name', async () => {
    const h = new ScriptedHuman({ replace: 'sandbox', 'replace.active': 'yes' });
    expect(
      await h.ask('replace', { type: 'destructive', message: 'type it', expect: 'sandbox' }),
    ).toEqual({
      type: 'destructive',
      typed: 'sandbox',
    });
    expect(await h.ask('replace', active)).toEqual({ type: 'confirm', value: true });
  });

  it('Given only the cluster name for replace, When the active-node question comes, Then the run waits for replace.active (exit 10), naming the key', async () => {
    const h = new ScriptedHuman({ replace: 'sandbox' });
    const err = await h.ask('replace', active).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HumanWaitingError);
    expect(String((err as Error).message)).toContain('replace.active');
  });

  it('Given the replace-node runbook, When its answers file holds replace.active, Then it validates; a yes/no that is neither, or a key of no such question, is a usage error', () => {
    const runbook = runbookFrom(
      'id: replace-node\ntitle: R\nsteps:\n  - { id: replace, uses: aws.replace-node, destructive: true }\n',
    );
    const ctx = { runbook, profile: undefined, inputs: {} };
    expect(() =>
      validateAnswers({ replace: 'replace-node', 'replace.active': 'yes' }, ctx),
    ).not.toThrow();
    expect(() => validateAnswers({ 'replace.active': 'maybe' }, ctx)).toThrow(
      /replace.active: must be yes or no/,
    );
    expect(() => validateAnswers({ 'replace.other': 'yes' }, ctx)).toThrow(
      /'replace.other' is not a step/,
    );
  });
});
