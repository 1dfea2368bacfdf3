import { writeAckStop } from '../adapters/ack-stop-journal.js';
import { journalPath } from '../adapters/journal.js';
import { pastRuns } from '../adapters/journal-scan.js';
import { ExitCode, UsageError, VrError } from '../domain/errors.js';
import { pendingStops, type PendingStop } from '../engine/pending-stop.js';

/**
 * `vault-runbook ack-stop <run-id>`: the operator says the cluster that run stopped is back
 * (the group at its size again). Only a standing stop can be acknowledged, and not one whose
 * run is going on now: that run starts the cluster itself.
 */
export function ackStop(
  runId: string,
  note: string | undefined,
  env: NodeJS.ProcessEnv,
): { ackRunId: string; pending: PendingStop } {
  journalPath(runId, env); // a usage error for something that is not a run id
  const pending = pendingStops(pastRuns(env)).find((p) => p.run.runId === runId);
  if (!pending)
    throw new UsageError(`ack-stop ${runId}: no run of that id has the cluster stopped`, [
      'vault-runbook journal list',
    ]);
  if (pending.owner.kind === 'in-progress')
    throw new VrError(
      `ack-stop ${runId}: that run is in progress (pid ${pending.owner.pid}) and starts the cluster itself`,
      ExitCode.precondition,
      [`wait for it to finish`],
    );
  return { ackRunId: writeAckStop(pending.run, note, env), pending };
}
