import { writeAckStop } from '../adapters/ack-stop-journal.js';
import { journalPath } from '../adapters/journal.js';
import { pastRuns } from '../adapters/journal-scan.js';
import { ExitCode, UsageError, VrError } from '../domain/errors.js';
import { pendingStops } from '../engine/pending-stop.js';
import { pendingResidues } from '../engine/residue.js';

/**
 * `vault-runbook ack-stop <run-id>`: the operator says the cluster that run stopped is back
 * (the group at its size again), or that the S3 quarantine it left is removed. Only a standing
 * stop or quarantine can be acknowledged, and not one whose run is going on now: that run
 * starts the cluster (removes the quarantine) itself.
 */
export function ackStop(
  runId: string,
  note: string | undefined,
  env: NodeJS.ProcessEnv,
): { ackRunId: string; said: string } {
  journalPath(runId, env); // a usage error for something that is not a run id
  const runs = pastRuns(env);
  const pending = pendingStops(runs).find((p) => p.run.runId === runId);
  const residue = pendingResidues(runs).find((p) => p.run.runId === runId);
  if (!pending && !residue)
    throw new UsageError(
      `ack-stop ${runId}: no run of that id has the cluster stopped or an S3 quarantine left`,
      ['vault-runbook journal list'],
    );
  const run = (pending ?? residue)!.run;
  if (run.lockPid !== undefined)
    throw new VrError(
      `ack-stop ${runId}: that run is in progress (pid ${run.lockPid}) and ${pending ? 'starts the cluster' : 'removes its quarantine'} itself`,
      ExitCode.precondition,
      [`wait for it to finish`],
    );
  const said = [
    ...(pending ? [`the cluster stopped by ${runId} at ${pending.stop.at} is back`] : []),
    ...(residue ? [`the S3 quarantine ${runId} made at ${residue.left.at} is removed`] : []),
  ].join('; ');
  return { ackRunId: writeAckStop(run, note, env, said), said };
}
