import type { RunOutcome } from '../../engine/state.js';
import type { RunResult } from '../../engine/interpreter.js';
import type { Tone } from '../context.js';
import type { StepView } from '../store.js';

export interface Glyph {
  readonly glyph: string;
  readonly tone?: Tone;
  readonly word: string;
}

export function stepGlyph(status: StepView['status']): Glyph {
  switch (status) {
    case 'succeeded':
      return { glyph: '✓', tone: 'ok', word: 'done' };
    case 'running':
      return { glyph: '▶', tone: 'accent', word: 'running' };
    case 'awaiting-human':
      return { glyph: '⏸', tone: 'warn', word: 'waiting for a person' };
    case 'failed':
      return { glyph: '✗', tone: 'fail', word: 'failed' };
    case 'pending':
      return { glyph: '○', tone: 'muted', word: 'pending' };
    case 'skipped':
      return { glyph: '⤼', tone: 'muted', word: 'skipped' };
    case 'retry-wait':
      return { glyph: '↻', tone: 'warn', word: 'waiting to retry' };
    case 'planned':
      return { glyph: '◇', tone: 'accent', word: 'planned (dry run)' };
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

export interface Banner {
  readonly glyph: string;
  readonly tone: Tone;
  readonly text: string;
}

function outcomeBanner(o: RunOutcome): Banner {
  switch (o.kind) {
    case 'succeeded':
      return {
        glyph: '✓',
        tone: 'ok',
        text: o.failedButContinued.length
          ? `Run succeeded (went on past failed steps: ${o.failedButContinued.join(', ')})`
          : 'Run succeeded',
      };
    case 'failed':
      return { glyph: '✗', tone: 'fail', text: `Run failed at step ${o.stepId}: ${o.error}` };
    case 'aborted':
      return { glyph: '✗', tone: 'fail', text: `Run aborted: ${o.reason}` };
    case 'precondition-failed':
      return { glyph: '✗', tone: 'fail', text: `Precondition not met: ${o.message}` };
    case 'planned':
      return { glyph: '✓', tone: 'ok', text: 'Dry run complete: nothing was executed' };
  }
}

export function resultBanner(r: RunResult): Banner {
  switch (r.kind) {
    case 'finished':
      return outcomeBanner(r.outcome);
    case 'suspended':
      return { glyph: '⏸', tone: 'warn', text: `Run suspended at step ${r.stepId}: ${r.message}` };
  }
}
