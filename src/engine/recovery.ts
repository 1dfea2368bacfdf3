/**
 * The isolated recovery Vault of an S3 quarantine (runbooks/s3-secret-recovery.yaml): a node
 * started on a quarantine copy of the data bucket, with its own HA lock table or none, never
 * behind the production load balancer. The sandbox adapter runs a local Vault process; on AWS
 * (src/adapters/recovery-aws.ts, profile `recovery:`) it is an instance of the ASG's AMI in an
 * isolated subnet, with its own security group and a recovery-only instance profile.
 */
export interface RecoveryNodeSpec {
  /** Lowercase letters, digits and dashes. */
  readonly name: string;
  /** A quarantine bucket: the adapter refuses a live data bucket. */
  readonly bucket: string;
  /** Its own HA lock table, created for it and deleted with it; absent: no HA. */
  readonly lockTable?: string;
  /** The run that makes it: tagged on what the adapter creates, so a person can tell whose it is. */
  readonly runId?: string;
}

export interface RecoveryNode {
  readonly name: string;
  readonly address: string;
  readonly bucket: string;
  readonly lockTable?: string;
}

export interface RecoveryDestroyed {
  /** False when there was no such node (a resumed cleanup finds it gone already). */
  readonly stopped: boolean;
  readonly lockTableDeleted?: string;
  /** What was removed, for people ("instance i-… terminated; security group sg-… deleted"). */
  readonly detail?: string;
}

export interface RecoveryPort {
  /** Where it runs, for people: "sandbox (local Vault process)". */
  readonly kind: string;
  /** Starts it and resolves once its API answers (sealed, on a copied bucket). */
  start(spec: RecoveryNodeSpec, signal: AbortSignal): Promise<RecoveryNode>;
  list(signal: AbortSignal): Promise<readonly RecoveryNode[]>;
  /**
   * Stops it and deletes what was made for it (lock table, security group); a node already gone
   * is no error. Throws, naming what is left and how to remove it by hand, when a part remains.
   */
  destroy(name: string, signal: AbortSignal): Promise<RecoveryDestroyed>;
}
