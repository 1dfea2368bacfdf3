import { pastRuns } from '../adapters/journal-scan.js';
import { pendingStopLines } from '../engine/pending-stop.js';
import { residueLines } from '../engine/residue.js';

/**
 * One line per unfinished run that left the cluster stopped. A journal scan that fails is a
 * line too: silence would read as "nothing is stopped".
 */
export function pendingStopWarnings(env: NodeJS.ProcessEnv): string[] {
  try {
    const runs = pastRuns(env);
    return [...pendingStopLines(runs), ...residueLines(runs)];
  } catch (err) {
    return [
      `could not read the run journals to check for a stopped cluster: ${(err as Error).message}`,
    ];
  }
}
