import { stripControls } from '../domain/sanitize.js';
import type { ParsedLine } from '../adapters/journal.js';
import { verifyRecords } from '../adapters/journal.js';
import { ceremonySummary } from './ceremony-transcript.js';

/** The audit transcript: one line per record that matters to an auditor, from the journal only. */
export function renderTranscript(lines: readonly ParsedLine[]): string {
  const out: string[] = [];
  const v = verifyRecords(lines);
  for (const l of lines) {
    const r = l.record;
    if (!r) {
      out.push(`line ${l.line}: ${l.error ?? 'unreadable'}`);
      continue;
    }
    const e = r.event;
    const head = `${r.time}  ${r.operator}@${r.host}`;
    switch (e.type) {
      case 'run-started':
        out.push(
          `${head}  started ${e.runbookTitle} (${e.meta.runbookFile}, sha256 ${e.meta.runbookSha256.slice(0, 12)})${e.meta.profileName ? ` on ${e.meta.profileName}` : ''}`,
        );
        if (Object.keys(e.meta.inputs).length)
          out.push(`${' '.repeat(head.length)}  inputs ${JSON.stringify(e.meta.inputs)}`);
        break;
      case 'precondition-checked':
        out.push(
          `${head}  precondition ${e.ok ? 'holds' : 'FAILS'}: ${e.message}${e.detail ? ` (${e.detail})` : ''}`,
        );
        break;
      case 'step-started':
        out.push(`${head}  ▶ ${e.stepId}${e.attempt > 1 ? ` attempt ${e.attempt}` : ''}`);
        break;
      case 'step-awaiting-human':
        out.push(
          `${head}  ⏸ ${e.stepId} asks (${e.prompt.type}): ${e.prompt.message.split('\n')[0] ?? ''}`,
        );
        break;
      case 'human-answered':
        out.push(
          `${head}  ↳ ${e.by} answered ${e.stepId}: ${typeof e.answer === 'string' ? e.answer : JSON.stringify(e.answer)}`,
        );
        break;
      case 'destructive-confirmed':
        out.push(`${head}  ↳ ${e.by} confirmed destructive ${e.stepId}`);
        break;
      case 'step-succeeded':
        out.push(`${head}  ✓ ${e.stepId}`);
        break;
      case 'step-failed':
        out.push(`${head}  ✗ ${e.stepId}: ${e.error}`);
        break;
      case 'step-skipped':
        out.push(`${head}  ⤼ ${e.stepId}: ${e.reason}`);
        break;
      case 'step-planned':
        out.push(`${head}  ○ ${e.stepId}: would ${e.would}`);
        break;
      case 'step-probed':
        out.push(`${head}  ? ${e.stepId}: ${e.detail}`);
        break;
      case 'run-resumed':
        out.push(`${head}  resumed by ${e.by}`);
        break;
      case 'abort-requested':
        out.push(`${head}  ■ abort by ${e.by}: ${e.reason}`);
        break;
      case 'run-suspended':
        out.push(`${head}  ⏸ waiting at ${e.stepId}`);
        break;
      case 'residue-removed':
        out.push(
          `${head}  ${e.ok ? '✓' : '✗'} ${e.stepId} after the abort: ${e.ok ? 'removed' : `NOT removed: ${e.detail}`}`,
        );
        break;
      case 'run-finished':
        out.push(`${head}  finished: ${e.outcome.kind}`);
        break;
      case 'step-output':
        for (const line of e.lines)
          out.push(`${' '.repeat(head.length)}    ${e.stream === 'stderr' ? '!' : '│'} ${line}`);
        break;
      case 'step-process':
      case 'cluster-updated':
        break;
    }
  }
  out.push(...ceremonySummary(lines));
  out.push(
    v.ok
      ? `hash chain: ok (${v.count} records)`
      : `hash chain: BROKEN — ${v.problems.map((p) => p.message).join('; ')}`,
    v.ending === 'open'
      ? `final record: MISSING after record ${v.last?.seq ?? '-'} — truncated or still running`
      : `${v.ending === 'finished' ? 'final' : 'suspended'} hash: ${v.last?.hash ?? '?'} (HMACs: vault-runbook journal verify)`,
  );
  // A journal file is outside data too (an old one, or one edited by hand): nothing in it may
  // drive the terminal.
  return `${stripControls(out.join('\n'))}\n`;
}
