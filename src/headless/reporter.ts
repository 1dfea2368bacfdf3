import { formatDuration } from '../domain/duration.js';
import type { RunObserver } from '../engine/interpreter.js';
import type { RunEvent, RunState } from '../engine/state.js';

export interface Writable {
  write(s: string): unknown;
}

function oneLine(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined || s === '{}' ? '' : s.length > 200 ? `${s.slice(0, 197)}…` : s;
}

/** Human-readable progress for pipes and CI logs: one line per thing that happened. */
export class LineReporter implements RunObserver {
  constructor(
    readonly out: Writable,
    readonly journalPath?: string,
  ) {}
  onEvent(e: RunEvent, state: RunState): void {
    const total = state.runbook.steps.length;
    const n = (id: string): string =>
      `[${state.runbook.steps.findIndex((s) => s.id === id) + 1}/${total}]`;
    const title = (id: string): string => state.runbook.steps.find((s) => s.id === id)?.title ?? id;
    const w = (s: string): void => void this.out.write(`${s}\n`);
    switch (e.type) {
      case 'run-started':
        w(
          `▶ ${e.runbookTitle} — run ${e.meta.runId}${e.meta.dryRun ? ' (dry-run: nothing is executed)' : ''}`,
        );
        if (this.journalPath) w(`  journal: ${this.journalPath}`);
        return;
      case 'run-resumed':
        w(`▶ resuming run ${state.meta.runId} (by ${e.by})`);
        return;
      case 'precondition-checked':
        w(`${e.ok ? '✓' : '✗'} precondition: ${e.message}${e.detail ? ` — ${e.detail}` : ''}`);
        return;
      case 'step-started':
        w(
          `▶ ${n(e.stepId)} ${e.stepId}: ${title(e.stepId)}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`,
        );
        return;
      case 'step-output':
        for (const l of e.lines)
          w(`    ${e.stream === 'stderr' ? '!' : e.stream === 'info' ? '·' : '│'} ${l}`);
        return;
      case 'step-awaiting-human':
        w(
          `⏸ ${e.stepId}: waiting for a person (${e.prompt.type}): ${e.prompt.message.split('\n')[0] ?? ''}`,
        );
        return;
      case 'human-answered':
        w(
          `  ↳ ${e.by} answered: ${typeof e.answer === 'string' ? e.answer : JSON.stringify(e.answer)}`,
        );
        return;
      case 'destructive-confirmed':
        w(`  ↳ ${e.by} confirmed destructive step ${e.stepId}`);
        return;
      case 'step-succeeded': {
        const st = state.steps[e.stepId];
        w(
          `✓ ${n(e.stepId)} ${e.stepId}${st?.kind === 'succeeded' && st.durationMs ? ` (${formatDuration(st.durationMs)})` : ''}`,
        );
        return;
      }
      case 'step-failed': {
        const retry = state.steps[e.stepId]?.kind === 'retry-wait';
        w(`✗ ${n(e.stepId)} ${e.stepId}: ${e.error}${retry ? ' — retrying' : ''}`);
        return;
      }
      case 'step-skipped':
        w(`⤼ ${n(e.stepId)} ${e.stepId}: skipped (${e.reason})`);
        return;
      case 'step-planned':
        w(
          `○ ${n(e.stepId)} ${e.stepId}: would ${e.would}${oneLine(e.with) ? `\n      with ${oneLine(e.with)}` : ''}`,
        );
        return;
      case 'step-probed':
        w(`  ? ${e.stepId}: ${e.detail}`);
        return;
      case 'abort-requested':
        w(`■ abort requested by ${e.by}: ${e.reason}`);
        return;
      case 'residue-removed':
        w(
          e.ok
            ? `✓ ${e.stepId} ran after the abort: what the run made is removed`
            : `✗ ${e.stepId} after the abort did NOT remove everything: ${e.detail} — every start of vault-runbook warns with the commands to remove it`,
        );
        return;
      case 'run-suspended':
        w(`⏸ run ${state.meta.runId} waits at ${e.stepId}: ${e.reason}`);
        w(
          `  continue with: vault-runbook resume ${state.meta.runId} --answers FILE [--secrets-fd N]`,
        );
        return;
      case 'run-finished': {
        const o = e.outcome;
        switch (o.kind) {
          case 'succeeded':
            w(
              `✓ run ${state.meta.runId} succeeded${o.failedButContinued.length ? ` (continued past failed: ${o.failedButContinued.join(', ')})` : ''}`,
            );
            return;
          case 'planned':
            w(`○ dry-run of ${state.meta.runId} complete: nothing was executed`);
            return;
          case 'failed':
            w(`✗ run ${state.meta.runId} failed at ${o.stepId}: ${o.error}`);
            w(`  after fixing the cause: vault-runbook resume ${state.meta.runId}`);
            return;
          case 'aborted':
            w(`■ run ${state.meta.runId} aborted: ${o.reason}`);
            return;
          case 'precondition-failed':
            w(`✗ precondition does not hold: ${o.message}`);
            return;
        }
        return;
      }
      case 'step-process':
      case 'cluster-updated':
        return;
    }
  }
}

/** `--json`: one JSON object per event, for pipes and other tools. */
export class JsonReporter implements RunObserver {
  constructor(readonly out: Writable) {}
  onEvent(e: RunEvent, state: RunState): void {
    if (e.type === 'cluster-updated') return;
    this.out.write(
      `${JSON.stringify({ time: new Date().toISOString(), run: state.meta.runId, ...e })}\n`,
    );
  }
}
