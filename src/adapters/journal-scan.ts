import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterMarks } from '../engine/pending-stop.js';
import { residueLeft } from '../engine/residue.js';
import type { PastRun } from '../engine/ports.js';
import type { RunEvent } from '../engine/state.js';
import { isAlive, parseJournalText, verifyRecords } from './journal.js';
import { loadJournalKey } from './journal-key.js';
import { runsDir } from './paths.js';

/**
 * Every run's journal in short, for the checks that run at each `run`/`list`/`status`/TUI start
 * (the stopped-cluster warning, the ceremony's precondition). Each journal is read once, and
 * only the records the summary needs are parsed: the header, the cluster markers, successes,
 * probes and the run's suspensions and ending. Step output, human prompts and inputs — most
 * of a journal's bytes — are recognised by their type and skipped unparsed.
 *
 * The filter is on the raw text `"type":"<name>"`: inside a JSON string a quote is always
 * escaped, so that text can only be a real key, and every candidate is parsed and checked.
 */
const NEEDED = [
  'step-succeeded',
  'step-probed',
  'run-finished',
  'run-suspended',
  'run-resumed',
  'residue-removed',
].map((t) => `"type":"${t}"`);
const MARKERS = ['"cluster":"', '"residue":"'];

/**
 * The `runbookFile` an `ack-stop` journal's header carries: no runbook file has this name, so a
 * run of some runbook can never pass for an acknowledgement.
 */
export const ACK_STOP_RUNBOOK = '(ack-stop)';

interface Rec {
  readonly time: string;
  readonly operator?: string;
  readonly event: RunEvent;
}

function parse(line: string): Rec | undefined {
  try {
    const r = JSON.parse(line) as Partial<Rec> | null;
    return r && typeof r.time === 'string' && r.event && typeof r.event.type === 'string'
      ? (r as Rec)
      : undefined;
  } catch {
    // A run killed mid-write leaves a torn last line: the records before it still tell the
    // story (and `journal verify` names the torn line); one bad journal must not hide the rest.
    return undefined;
  }
}

/**
 * The records of one journal text that a run's summary depends on, in order. The needles are
 * searched in the whole text (native `indexOf`), and only the lines they fall on are cut out
 * and parsed: the lines between are never split off or looked at one by one.
 */
export function summaryRecords(text: string): Rec[] {
  const starts = new Set<number>([0]);
  for (const needle of [...MARKERS, ...NEEDED])
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length))
      starts.add(text.lastIndexOf('\n', at) + 1);
  const out: Rec[] = [];
  for (const start of [...starts].sort((a, b) => a - b)) {
    const nl = text.indexOf('\n', start);
    const line = text.slice(start, nl === -1 ? text.length : nl);
    const r = line ? parse(line) : undefined;
    if (r) out.push(r);
  }
  return out;
}

/** The pid in a run's lock file when that process is alive (the run is going on now). */
function livePid(lockFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return undefined; // no lock: the run is not held by anyone
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/**
 * An acknowledgement clears a safety warning, so it counts only when its chain and MACs verify
 * under this user's key (it is three records: reading it whole costs nothing).
 */
function ackVerifies(text: string, env: NodeJS.ProcessEnv): boolean {
  const key = loadJournalKey(env);
  if (!key) return false;
  // Parsed as `journal verify` parses it: an acknowledgement that command rejects never counts.
  return verifyRecords(parseJournalText(text), key).ok;
}

export function summarise(
  runId: string,
  recs: readonly Rec[],
  lockPid?: number,
  ackOk = true,
): PastRun {
  const head = recs[0]?.event;
  const meta = head?.type === 'run-started' ? head.meta : undefined;
  let status = 'interrupted';
  let finished: string | undefined;
  for (const { event } of recs) {
    if (event.type === 'run-finished') {
      status = event.outcome.kind;
      finished = event.outcome.kind;
    } else if (event.type === 'run-suspended') status = `waiting at ${event.stepId}`;
    else if (event.type === 'run-resumed') status = 'interrupted';
  }
  if (lockPid !== undefined && status === 'interrupted') status = 'running?';
  const marks = clusterMarks(recs);
  const residue = residueLeft(recs);
  const acknowledged =
    ackOk && meta?.runbookFile === ACK_STOP_RUNBOOK && finished === 'succeeded'
      ? meta.inputs.run
      : undefined;
  return {
    runId,
    runbookId: runId.replace(/-\d{8}T\d{6}-[0-9a-f]{6}$/, ''),
    ...(meta?.profileName ? { profileName: meta.profileName } : {}),
    ...(meta?.profileFile ? { profileFile: meta.profileFile } : {}),
    status,
    succeeded: recs.flatMap((x) => (x.event.type === 'step-succeeded' ? [x.event.stepId] : [])),
    ...(marks.stop ? { clusterStopped: marks.stop } : {}),
    ...(marks.startedAt ? { clusterStartedAt: marks.startedAt } : {}),
    ...(residue ? { residueLeft: residue } : {}),
    ...(finished !== undefined ? { finished } : {}),
    // A finished run's lock is a leftover, not a run going on.
    ...(lockPid !== undefined && finished === undefined ? { lockPid } : {}),
    ...(typeof acknowledged === 'string' ? { acknowledges: acknowledged } : {}),
    ...(recs[0] ? { startedAt: recs[0].time } : {}),
  };
}

/** Every run's journal in short, oldest first (the ceremony's precondition names the run to resume). */
export function pastRuns(env: NodeJS.ProcessEnv = process.env): PastRun[] {
  const dir = runsDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => {
      const path = join(dir, f);
      const text = readFileSync(path, 'utf8');
      const recs = summaryRecords(text);
      const head = recs[0]?.event;
      const isAck = head?.type === 'run-started' && head.meta.runbookFile === ACK_STOP_RUNBOOK;
      return summarise(
        f.replace(/\.jsonl$/, ''),
        recs,
        livePid(`${path}.lock`),
        isAck && ackVerifies(text, env),
      );
    })
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
}
