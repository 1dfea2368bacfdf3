import type { Io } from '../app/io.js';

/** On stderr, before anything else: unfinished runs that left the cluster stopped. */
export async function warnPendingStops(io: Io): Promise<void> {
  const { pendingStopWarnings } = await import('../app/pending-stops.js');
  for (const l of pendingStopWarnings(io.env)) io.stderr.write(`warning: ${l}\n`);
}
