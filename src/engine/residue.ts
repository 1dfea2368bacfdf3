import { quarantineNames } from './actions/s3-recovery/names.js';
import type { PastRun } from './ports.js';
import type { RunEvent } from './state.js';

/**
 * Resources a run made that outlive it — an S3 quarantine: the recovery node (which holds
 * Vault's keyring once unsealed) and a full copy of Vault's storage in the quarantine bucket —
 * must not be forgotten when the run ends before its destroy step. The marker is the `residue`
 * field of a `step-started` record (`creates`, journaled before the action runs); it is
 * cleared by the success (or a probe that took effect) of a step started with `removes`, or by
 * a `residue-removed` record that says the removal after an abort worked. What still stands is
 * warned about on every start (with pending-stop.ts's lines), with the commands to remove it by
 * hand, until `vault-runbook ack-stop <run-id>` says it is gone.
 */
export interface ResidueLeft {
  /** When the first creating step started. */
  readonly at: string;
  readonly stepId: string;
  /** Why the removal after an abort did not finish, when it was tried. */
  readonly removal?: string;
}

export function residueLeft(
  records: readonly { readonly time: string; readonly event: RunEvent }[],
): ResidueLeft | undefined {
  let left: ResidueLeft | undefined;
  const removing = new Set<string>();
  for (const { time, event } of records) {
    const done =
      event.type === 'step-succeeded' || (event.type === 'step-probed' && event.tookEffect);
    if (done && removing.has(event.stepId)) left = undefined;
    if (event.type === 'residue-removed')
      left = event.ok || !left ? undefined : { ...left, removal: event.detail };
    if (event.type !== 'step-started') continue;
    if (event.residue === 'creates' && !left) left = { at: time, stepId: event.stepId };
    if (event.residue === 'removes') removing.add(event.stepId);
    else removing.delete(event.stepId);
  }
  return left;
}

/** The commands that remove a run's quarantine by hand, on AWS and on the sandbox. */
export function residueCleanup(runId: string, region?: string): string {
  const { bucket, node } = quarantineNames(runId);
  const r = region ? ` --region ${region}` : '';
  const ids = `$(aws ec2 describe-instances${r} --filters Name=tag:vault-runbook:recovery-node,Values=${node} --query 'Reservations[].Instances[].InstanceId' --output text)`;
  const groups = `$(aws ec2 describe-security-groups${r} --filters Name=group-name,Values=vault-recovery-${node} --query 'SecurityGroups[].GroupId' --output text)`;
  return [
    `on AWS: aws ec2 terminate-instances${r} --instance-ids ${ids}`,
    `then (once terminated) aws ec2 delete-security-group${r} --group-id ${groups}`,
    `aws s3 rb s3://${bucket} --force${r}`,
    `on the sandbox: vault-runbook sandbox recovery-node stop ${node} and delete bucket ${bucket}`,
    `then vault-runbook ack-stop ${runId}`,
  ].join('; ');
}

/** A run whose quarantine still stands and that will not remove it itself. */
export interface PendingResidue {
  readonly run: PastRun;
  readonly left: ResidueLeft;
}

export function pendingResidues(runs: readonly PastRun[]): PendingResidue[] {
  return runs.flatMap((run) => {
    const left = run.residueLeft;
    if (!left || runs.some((o) => o.runId !== run.runId && o.acknowledges === run.runId)) return [];
    return [{ run, left }];
  });
}

/** The warning every entry point prints, word for word. */
export function residueLine(p: PendingResidue): string {
  const { bucket, node } = quarantineNames(p.run.runId);
  const head = `run ${p.run.runId} (${p.run.runbookId}) made an S3 quarantine at ${p.left.at} (recovery node ${node}, bucket ${bucket}: a full copy of Vault's storage)`;
  if (p.run.lockPid !== undefined)
    return `${head} and is in progress (pid ${p.run.lockPid}) — its destroy step removes it`;
  if (p.run.finished === undefined)
    return `${head} and has not finished — resume it (its destroy step removes it): vault-runbook resume ${p.run.runId}`;
  const tried = p.left.removal ? `; the removal after the abort failed: ${p.left.removal}` : '';
  return `${head} and ended (${p.run.finished}) without removing it${tried} — remove it by hand: ${residueCleanup(p.run.runId)}`;
}

export function residueLines(runs: readonly PastRun[]): string[] {
  return pendingResidues(runs).map(residueLine);
}
