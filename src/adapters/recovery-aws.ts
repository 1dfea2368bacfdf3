import { parseDuration } from '../domain/duration.js';
import { errorMessage, UsageError } from '../domain/errors.js';
import { recoveryTagAddress } from '../domain/recovery-address.js';
import { refuseRecoveryTarget } from '../domain/recovery-target.js';
import {
  hasRecoveryEgress,
  RECOVERY_EGRESS_REQUIRED,
  type Profile,
  type RecoveryProfile,
} from '../domain/schema.js';
import type {
  RecoveryDestroyed,
  RecoveryNode,
  RecoveryNodeSpec,
  RecoveryPort,
} from '../engine/recovery.js';
import type { AwsClients } from './aws/clients.js';
import * as grant from './aws/recovery-bucket.js';
import * as rec from './aws/recovery-ec2.js';
import * as sg from './aws/recovery-sg.js';
import { systemClock } from './clock.js';
import { profileName, recoveryUserData } from './recovery-user-data.js';

/**
 * The S3-quarantine recovery node on AWS (profile `recovery:`; docs/s3-recovery.md): one
 * instance of the AMI the ASG launches, in a subnet with no route to production, with a
 * security group of its own (in: the Vault port from the operator's CIDR; out: 443 to the
 * endpoints only) and the recovery instance profile, never the production one — the production
 * role reaches the live bucket whatever a security group says. Its user-data is the launch
 * template's JSON with `role: recovery`, the quarantine bucket and no lock table, which
 * packer/files/vault-render-config turns into a Vault without HA storage.
 *
 * The recovery role gets the quarantine bucket through a bucket policy on that bucket, not an
 * IAM policy: it needs no IAM rights from the operator (iam:PutRolePolicy can escalate), and it
 * goes away with the bucket, so a cleanup cannot leave a grant behind.
 */

export interface AwsRecoveryTimeouts {
  /** From launch until the instance runs and its Vault API answers (profile start_timeout). */
  readonly startMs: number;
  /** From TerminateInstances until the instance is terminated. */
  readonly terminateMs: number;
  /** Retrying the security group's deletion while the instance's interface detaches. */
  readonly groupMs: number;
  /** Pause between polls. */
  readonly pollMs: number;
}

export const AWS_RECOVERY_TIMEOUTS: AwsRecoveryTimeouts = {
  startMs: 10 * 60_000,
  terminateMs: 5 * 60_000,
  groupMs: 3 * 60_000,
  pollMs: 5_000,
};

export interface AwsRecoveryOptions {
  readonly clients: AwsClients;
  /** Undefined when the node's Vault API answered (sealed or not), else why not. */
  readonly probe: (address: string, signal: AbortSignal) => Promise<string | undefined>;
  readonly timeouts?: Partial<AwsRecoveryTimeouts>;
}

export class AwsRecovery implements RecoveryPort {
  readonly kind: string;
  readonly #r: RecoveryProfile;
  readonly #region: string;
  readonly #t: AwsRecoveryTimeouts;

  constructor(
    private readonly profile: Profile,
    private readonly o: AwsRecoveryOptions,
  ) {
    if (!profile.recovery || !profile.aws)
      throw new UsageError('quarantine on AWS needs the profile sections `aws` and `recovery`');
    // The schema says so on load; a profile built in code is held to it too.
    if (!hasRecoveryEgress(profile.recovery)) throw new UsageError(RECOVERY_EGRESS_REQUIRED);
    this.#r = profile.recovery;
    this.#region = profile.aws.region;
    const start = profile.recovery.start_timeout;
    this.#t = {
      ...AWS_RECOVERY_TIMEOUTS,
      ...(start !== undefined ? { startMs: parseDuration(start) } : {}),
      ...o.timeouts,
    };
    // Shares and the operator's token go to this node: the nodes' TLS rule, on load and here.
    const override = profile.vault.tls?.insecure_override?.trim();
    if (profile.recovery.scheme === 'http' && !override)
      throw new UsageError(
        'recovery.scheme http sends shares and a token unprotected: use https, or for a lab set vault.tls.insecure_override: "<why>"',
      );
    const insecure =
      profile.recovery.scheme === 'http'
        ? `; INSECURE http allowed by the profile (${override})`
        : '';
    this.kind = `AWS (an instance in ${profile.recovery.subnet_id}, instance profile ${profile.recovery.instance_profile}${insecure})`;
  }

  #refuse(spec: RecoveryNodeSpec): void {
    const aws = this.profile.aws;
    const why = refuseRecoveryTarget(spec, {
      buckets: [aws?.data_bucket, aws?.dr_data_bucket],
      tables: [aws?.dynamodb_table, aws?.dr_dynamodb_table],
    });
    if (why) throw new UsageError(why);
    if (spec.lockTable !== undefined)
      throw new UsageError(
        `a recovery node on AWS runs without HA storage (vault-render-config refuses a lock table for role recovery): no lock table ${spec.lockTable}`,
      );
  }

  /** Its API address, or why it has none (yet, or ever: a tag that is not a plain address). */
  #address(i: rec.RecoveryInstance): { address: string } | { why: string } {
    const scheme = this.#r.scheme ?? 'https';
    const tag = this.#r.address_tag;
    if (tag) {
      const value = i.tags[tag];
      if (!value) return { why: `it has no address yet (tag ${tag})` };
      const r = recoveryTagAddress(value, {
        scheme,
        ...(i.privateIp ? { privateIp: i.privateIp } : {}),
      });
      // The value is someone else's: say why it is refused, never echo it into the output.
      return r.ok ? { address: r.address } : { why: `its tag ${tag} is refused: ${r.why}` };
    }
    if (!i.privateIp) return { why: 'it has no address yet' };
    return { address: `${scheme}://${i.privateIp}:${this.#r.port ?? 8200}` };
  }

  #node(i: rec.RecoveryInstance): RecoveryNode {
    const a = this.#address(i);
    return {
      name: i.tags[rec.RECOVERY_TAG] ?? '',
      address: 'address' in a ? a.address : '',
      bucket: i.tags[rec.BUCKET_TAG] ?? '',
    };
  }

  async start(spec: RecoveryNodeSpec, signal: AbortSignal): Promise<RecoveryNode> {
    this.#refuse(spec);
    const aws = this.o.clients;
    const region = this.#region;
    const asg = this.profile.aws?.asg ?? '';
    const existing = await rec.findInstances(aws, region, spec.name, signal);
    const mine = existing.find(
      (i) =>
        i.tags[rec.BUCKET_TAG] === spec.bucket && (i.state === 'pending' || i.state === 'running'),
    );
    // A resumed run whose instance launched before the kill: wait for it, launch no second one.
    if (mine && existing.length === 1) return this.#adopt(spec.name, mine.instanceId, signal);
    if (existing.length > 0)
      throw new UsageError(
        `a recovery node '${spec.name}' exists already (${existing.map((i) => `${i.instanceId} ${i.state} on ${i.tags[rec.BUCKET_TAG] ?? '?'}`).join(', ')}): destroy it first`,
      );
    const src = await rec.launchSource(aws, asg, region, signal);
    if (!src) throw new UsageError(`ASG ${asg} in ${region} has no launch template with an AMI`);
    if (
      src.instanceProfile &&
      profileName(src.instanceProfile) === profileName(this.#r.instance_profile)
    )
      throw new UsageError(
        `recovery.instance_profile ${this.#r.instance_profile} is the production nodes' (launch template ${src.template}): the production role reaches the live bucket; give the recovery node a profile of its own`,
      );
    const userData = recoveryUserData(src.userData, spec.bucket, spec.name);
    const vpcId = await rec.subnetVpc(aws, this.#r.subnet_id, region, signal);
    await grant.grantBucket(aws, region, spec.bucket, this.#r.role_arn, signal);
    const tags = {
      Name: `vault-recovery-${spec.name}`,
      [rec.RECOVERY_TAG]: spec.name,
      [rec.BUCKET_TAG]: spec.bucket,
      ...(spec.runId ? { [rec.RUN_TAG]: spec.runId } : {}),
    };
    // A group left by a run killed before its instance launched is used by nothing: start clean.
    for (const g of await sg.findGroups(aws, region, spec.name, signal))
      await sg.deleteGroup(aws, region, g, signal);
    const groupId = await sg.createGroup(
      aws,
      region,
      vpcId,
      `vault-recovery-${spec.name}`,
      {
        port: this.#r.port ?? 8200,
        operatorCidr: this.#r.operator_cidr,
        // The profile names where 443 may go (the schema requires it): no VPC-wide default.
        egressCidrs: this.#r.egress_cidrs ?? [],
        egressPrefixLists: this.#r.egress_prefix_lists ?? [],
      },
      tags,
      signal,
    );
    let instanceId: string;
    try {
      instanceId = await rec.runInstance(
        aws,
        region,
        {
          imageId: this.#r.ami ?? src.imageId,
          instanceType: this.#r.instance_type ?? src.instanceType ?? 't3.small',
          subnetId: this.#r.subnet_id,
          groupId,
          instanceProfile: this.#r.instance_profile,
          userData,
          tags,
        },
        signal,
      );
    } catch (err) {
      // The group is made; no instance is: remove the group.
      throw await this.#failed(spec.name, undefined, err, signal);
    }
    return this.#adopt(spec.name, instanceId, signal);
  }

  async #adopt(name: string, instanceId: string, signal: AbortSignal): Promise<RecoveryNode> {
    try {
      return await this.#untilAnswers(instanceId, signal);
    } catch (err) {
      throw await this.#failed(name, instanceId, err, signal);
    }
  }

  /** Leaves nothing behind (the runbook's destroy step would find it too, but say it here). */
  async #failed(name: string, id: string | undefined, err: unknown, signal: AbortSignal) {
    if (signal.aborted) return err;
    let cleanup: string;
    try {
      const d = await this.destroy(
        name,
        AbortSignal.timeout(this.#t.terminateMs + this.#t.groupMs + 60_000),
      );
      cleanup = `cleaned up: ${d.detail ?? 'nothing was left'}`;
    } catch (e) {
      cleanup = `cleanup FAILED: ${errorMessage(e)}`;
    }
    return new Error(
      `recovery node ${name}${id ? ` (${id})` : ''}: ${errorMessage(err)}; ${cleanup}`,
      {
        cause: err,
      },
    );
  }

  async #untilAnswers(id: string, signal: AbortSignal): Promise<RecoveryNode> {
    const secs = Math.round(this.#t.startMs / 1000);
    const end = Date.now() + this.#t.startMs;
    let last = 'not looked at yet';
    for (;;) {
      const [i] = await rec.findInstances(this.o.clients, this.#region, undefined, signal, {
        ids: [id],
        withTerminated: true,
      });
      if (!i) last = 'not listed by EC2 yet';
      else if (i.state !== 'running' && i.state !== 'pending')
        throw new Error(`instance ${id} is ${i.state}, not running`);
      else if (i.state === 'pending') last = 'still pending (not running)';
      else {
        const node = this.#node(i);
        const a = this.#address(i);
        if ('why' in a) last = `running, but ${a.why}`;
        else {
          const why = await this.o.probe(node.address, signal);
          if (why === undefined) return node;
          last = `running, but its Vault API at ${node.address} does not answer (${why})`;
        }
      }
      if (Date.now() > end) throw new Error(`not ready within ${secs} s: ${last}`);
      await systemClock.sleep(this.#t.pollMs, signal);
    }
  }

  /**
   * The recovery instances that have an address (one still booting has none yet: a resumed
   * start waits for it). destroy() looks for every instance and group, addressed or not.
   */
  async list(signal: AbortSignal): Promise<readonly RecoveryNode[]> {
    const found = await rec.findInstances(this.o.clients, this.#region, undefined, signal);
    return found.map((i) => this.#node(i)).filter((n) => n.address);
  }

  async destroy(name: string, signal: AbortSignal): Promise<RecoveryDestroyed> {
    const aws = this.o.clients;
    const region = this.#region;
    const done: string[] = [];
    const left: string[] = [];
    const instances = await rec.findInstances(aws, region, name, signal);
    const ids = instances.map((i) => i.instanceId);
    if (ids.length > 0) {
      await rec.terminate(aws, region, ids, signal);
      const end = Date.now() + this.#t.terminateMs;
      let alive = ids;
      for (;;) {
        const now = await rec.findInstances(aws, region, name, signal, {
          ids,
          withTerminated: true,
        });
        alive = now
          .filter((i) => i.state !== 'terminated')
          .map((i) => `${i.instanceId} (${i.state})`);
        if (alive.length === 0 || Date.now() > end) break;
        await systemClock.sleep(this.#t.pollMs, signal);
      }
      if (alive.length === 0) done.push(`instance ${ids.join(', ')} terminated`);
      else
        left.push(
          `instance ${alive.join(', ')} not terminated within ${Math.round(this.#t.terminateMs / 1000)} s — by hand: aws ec2 terminate-instances --region ${region} --instance-ids ${ids.join(' ')}`,
        );
    }
    for (const g of await sg.findGroups(aws, region, name, signal)) {
      const end = Date.now() + this.#t.groupMs;
      let r: string;
      for (;;) {
        // Busy while the terminated instance's interface detaches (DependencyViolation).
        r = await sg.deleteGroup(aws, region, g, signal).catch((e: unknown) => errorMessage(e));
        if (r !== 'busy' || Date.now() > end) break;
        await systemClock.sleep(this.#t.pollMs, signal);
      }
      if (r === 'deleted' || r === 'gone') done.push(`security group ${g} deleted`);
      else
        left.push(
          `security group ${g} not deleted (${r === 'busy' ? 'still in use' : r}) — by hand: aws ec2 delete-security-group --region ${region} --group-id ${g}`,
        );
    }
    if (left.length > 0)
      throw new Error(
        `recovery node ${name} NOT fully removed: ${left.join('; ')}${done.length ? ` (done: ${done.join('; ')})` : ''}`,
      );
    return {
      stopped: ids.length > 0,
      ...(done.length ? { detail: `${done.join('; ')}; no lock table was made for it` } : {}),
    };
  }
}
