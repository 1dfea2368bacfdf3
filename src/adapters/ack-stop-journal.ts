import type { PastRun } from '../engine/ports.js';
import { FsJournal, journalPath, newRunId, operatorName } from './journal.js';
import { loadJournalKey } from './journal-key.js';
import { ACK_STOP_RUNBOOK } from './journal-scan.js';

/**
 * Journal an operator's word that a stopped cluster is back: a run of its own, chained and
 * MAC'd like any other, so `journal list/show/verify` show who said it, when, from which host.
 */
export function writeAckStop(
  stopped: PastRun,
  note: string | undefined,
  env: NodeJS.ProcessEnv,
  said = `the cluster stopped by ${stopped.runId} is back`,
): string {
  const key = loadJournalKey(env, { create: true });
  if (!key) throw new Error('no journal key could be made');
  const runId = newRunId('ack-stop');
  const operator = operatorName(env);
  const j = FsJournal.create(journalPath(runId, env), runId, { operator, key });
  try {
    j.append({
      type: 'run-started',
      runbookTitle: `Acknowledge that ${said}`,
      meta: {
        runId,
        runbookFile: ACK_STOP_RUNBOOK,
        runbookSha256: '',
        inputs: { run: stopped.runId, ...(note !== undefined ? { note } : {}) },
        ...(stopped.profileName ? { profileName: stopped.profileName } : {}),
        ...(stopped.profileFile ? { profileFile: stopped.profileFile } : {}),
        dryRun: false,
      },
    });
    j.append({
      type: 'human-answered',
      stepId: 'ack-stop',
      by: operator,
      answer: note ?? said,
    });
    j.append({ type: 'run-finished', outcome: { kind: 'succeeded', failedButContinued: [] } });
  } finally {
    j.close();
  }
  return runId;
}
