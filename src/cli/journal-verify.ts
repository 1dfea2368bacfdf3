import { journalKeyPath, loadJournalKey } from '../adapters/journal-key.js';
import { journalPath, readJournalLines, verifyRecords } from '../adapters/journal.js';

export interface VerifyOutcome {
  readonly ok: boolean;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

/**
 * `journal verify`: the chain, the MACs under this user's key, and how the journal ends. A
 * journal cut after any record still chains, so a missing final record is named, never "ok".
 */
export function verifyJournal(runId: string, env: NodeJS.ProcessEnv): VerifyOutcome {
  const lines = readJournalLines(journalPath(runId, env));
  const key = loadJournalKey(env);
  const v = verifyRecords(lines, key);
  const stderr = v.problems.map((p) => p.message);
  if (v.macs === 'no-key')
    stderr.push(
      `cannot check the HMACs: no journal key at ${journalKeyPath(env)} (a journal is verified by the user who ran it, with their key)`,
    );
  const last = v.last;
  if (v.ending === 'open')
    stderr.push(
      last
        ? `ends after record ${last.seq} (${last.event}) without a final record — truncated or still running (an interrupted run goes on with: vault-runbook resume ${runId})`
        : 'has no records — truncated or still running',
    );
  if (stderr.length > 0 || !last) return { ok: false, stdout: [], stderr };
  const head = `ok: ${v.count} records, hash chain and HMACs intact`;
  return {
    ok: true,
    stdout: [
      v.ending === 'finished'
        ? `${head}; final record ${last.seq} (run-finished), final hash ${last.hash}`
        : `${head}; the run waits for a person after record ${last.seq} (run-suspended), hash so far ${last.hash}`,
    ],
    stderr: [],
  };
}
