import { readFileSync } from 'node:fs';
import { SetInstanceHealthCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { errorMessage } from '../domain/errors.js';
import {
  amiVersion,
  describeAsg,
  describeSandboxInstances,
  preferEmptiestAz,
  replaceInstance,
  setDesired,
  type Ec2View,
} from './asg.js';
import type { TlsFiles } from './certs.js';
import { vaultHealth } from './http.js';
import type { RegionClients } from './clients.js';
import { nodeName, type Layout, type RegionKey } from './layout.js';
import {
  alive,
  signalGroup,
  sleep,
  startTicks,
  stopGroup,
  waitDead,
  type DetachedProcess,
} from './procs.js';
import type { RegionResources } from './provision.js';
import type { ProcRecord } from './state.js';
import type { Tools } from './tools.js';
import { matches, nodeAddress, nodeRecord, startVault, type NodeSpec } from './vault-node.js';

interface Managed {
  readonly spec: NodeSpec;
  pid: number;
  ticks: number | undefined;
  child: DetachedProcess;
  startedAt: string;
  /** Killed by a fault: stays dead until its instance is replaced, as on a real instance. */
  killed: boolean;
  restarts: number;
  nextRestart: number;
}

export interface ReconcileHooks {
  log(message: string): void;
  changed(): void;
  downAzs(): ReadonlySet<string>;
  regionDown(): boolean;
  /** Whether instances of this AMI (standing for this version) start broken (fault broken-image). */
  brokenImage(amiId: string, version: string): boolean;
}

/** How long an AMI no version could be found for is left alone before it is looked up again. */
const UNKNOWN_AMI_RETRY_MS = 5_000;

/**
 * One region's ASG made real: every running sandbox instance gets a Vault process with the
 * binary its AMI stands for, a gone instance loses it, a missing or unhealthy one is replaced.
 */
export class RegionReconciler {
  readonly #nodes = new Map<string, Managed>();
  readonly #amis: Map<string, string>;
  /** AMI → when it was found to stand for no built version (looked up again later). */
  readonly #unknownAmis = new Map<string, number>();
  /** The ASG as the last pass saw it (for status). */
  lastAsg: { readonly desired: number; readonly members: number } | undefined;

  constructor(
    private readonly l: Layout,
    readonly key: RegionKey,
    private readonly c: RegionClients,
    private readonly res: RegionResources,
    private readonly tools: Tools,
    private readonly tls: TlsFiles,
    private readonly hooks: ReconcileHooks,
  ) {
    this.#amis = new Map(Object.entries(res.amis));
  }

  amis(): Record<string, string> {
    return Object.fromEntries(this.#amis);
  }

  /** An AMI registered by `sandbox image`: known at once, no lookup needed. */
  learnAmi(amiId: string, version: string): void {
    this.#amis.set(amiId, version);
    this.#unknownAmis.delete(amiId);
    this.hooks.changed();
  }

  /** Fills the empty ASG one instance at a time, each into the emptiest AZ. */
  async fill(target: number, signal: AbortSignal): Promise<void> {
    const name = this.l.regions[this.key].asg;
    for (let n = 1; n <= target; n++) {
      const instances = await describeSandboxInstances(this.c, this.key, signal);
      await preferEmptiestAz(
        this.c,
        name,
        this.res.subnets,
        this.#azCounts(instances.filter((i) => i.state === 'running')),
        this.hooks.downAzs(),
        signal,
      );
      await setDesired(this.c, name, n, signal);
    }
  }

  #azCounts(instances: readonly Ec2View[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const i of instances) m.set(i.az, (m.get(i.az) ?? 0) + 1);
    return m;
  }

  async pass(signal: AbortSignal): Promise<void> {
    if (this.hooks.regionDown() && this.key === 'primary') return;
    const name = this.l.regions[this.key].asg;
    const asg = await describeAsg(this.c, name, signal);
    const instances = await describeSandboxInstances(this.c, this.key, signal);
    const byId = new Map(instances.map((i) => [i.instanceId, i]));
    const down = this.hooks.downAzs();
    this.lastAsg = asg ? { desired: asg.desired, members: asg.members.size } : undefined;

    // An instance terminated through the EC2 or Auto Scaling API: its Vault gets SIGTERM at
    // once (a clean shutdown that releases the HA lock), before anything else this pass does.
    const gone = [...this.#nodes.keys()].filter((id) => {
      const st = byId.get(id)?.state;
      return st !== 'running' && st !== 'pending';
    });
    await Promise.all(gone.map((id) => this.#stop(id, 'its instance was terminated')));

    if (asg) {
      const running = instances.filter(
        (i) => asg.members.has(i.instanceId) && i.state === 'running',
      );
      for (const [id, m] of asg.members) {
        const ec2 = byId.get(id);
        const gone = !ec2 || (ec2.state !== 'running' && ec2.state !== 'pending');
        if (!gone && m.health !== 'Unhealthy') continue;
        this.hooks.log(
          `${name}: replacing ${id} (${gone ? (ec2?.state ?? 'gone') : 'unhealthy'}), as the ASG would`,
        );
        await this.#stop(id, 'its instance is replaced');
        await preferEmptiestAz(
          this.c,
          name,
          this.res.subnets,
          this.#azCounts(running.filter((i) => i.instanceId !== id)),
          down,
          signal,
        );
        await replaceInstance(this.c, id, signal);
        this.hooks.changed();
        return; // the next pass sees the new instance
      }
      if (asg.members.size < asg.desired) {
        await preferEmptiestAz(
          this.c,
          name,
          this.res.subnets,
          this.#azCounts(running),
          down,
          signal,
        );
        await setDesired(this.c, name, asg.desired, signal);
        return;
      }
      // A replacement moto launches on its own (an instance terminated through the API) goes
      // into the first subnet: keep the emptiest healthy AZ there, as AWS balances its AZs.
      await preferEmptiestAz(
        this.c,
        name,
        this.res.subnets,
        this.#azCounts(running),
        down,
        signal,
        asg.subnets,
      );
    }

    const wanted = instances.filter(
      (i) =>
        i.state === 'running' &&
        !down.has(i.az) &&
        (asg?.members.get(i.instanceId)?.health ?? 'Healthy') !== 'Unhealthy',
    );
    const wantedIds = new Set(wanted.map((i) => i.instanceId));
    const stops = [...this.#nodes.keys()].filter((id) => !wantedIds.has(id));
    await Promise.all(stops.map((id) => this.#stop(id, 'its instance is not in service')));
    for (const i of wanted) await this.#ensureRunning(i, signal);
  }

  async #ensureRunning(i: Ec2View, signal: AbortSignal): Promise<void> {
    const m = this.#nodes.get(i.instanceId);
    if (m) {
      if (m.killed || alive(m.pid, m.ticks) || Date.now() < m.nextRestart) return;
      // A crashed server is restarted like systemd's Restart=on-failure, with a growing pause.
      m.restarts++;
      this.hooks.log(
        `${nodeName(this.key, m.spec.slot)}: vault exited, restarting (attempt ${m.restarts})`,
      );
      this.#launch(m.spec, m);
      return;
    }
    let version = this.#amis.get(i.imageId);
    const unknownSince = this.#unknownAmis.get(i.imageId);
    if (
      !version &&
      (unknownSince === undefined || Date.now() - unknownSince > UNKNOWN_AMI_RETRY_MS)
    ) {
      version = await amiVersion(this.c, i.imageId, signal).catch(() => undefined);
      if (version) this.#amis.set(i.imageId, version);
    }
    const bin = version ? this.tools.vault.get(version) : undefined;
    if (!version || !bin) {
      if (unknownSince === undefined)
        this.hooks.log(
          `${i.instanceId}: AMI ${i.imageId} stands for ${version ? `Vault ${version}, which is not built` : 'no known Vault version'}; no process started`,
        );
      if (unknownSince === undefined || Date.now() - unknownSince > UNKNOWN_AMI_RETRY_MS)
        this.#unknownAmis.set(i.imageId, Date.now());
      return;
    }
    this.#unknownAmis.delete(i.imageId);
    const slot = this.#freeSlot();
    if (slot === undefined) return;
    const spec: NodeSpec = {
      region: this.key,
      slot,
      instanceId: i.instanceId,
      az: i.az,
      amiId: i.imageId,
      version,
      bin,
      ...(this.hooks.brokenImage(i.imageId, version) ? { broken: true } : {}),
    };
    this.hooks.log(
      `${nodeName(this.key, slot)}: ${i.instanceId} in ${i.az} → Vault ${version} on ${nodeAddress(this.l, spec)}${spec.broken ? ' (BROKEN image: it will not start)' : ''}`,
    );
    this.#launch(spec);
    // What a real instance's private IP does for `status`: ties the instance to its node's API.
    await this.c.ec2
      .send(
        new CreateTagsCommand({
          Resources: [i.instanceId],
          Tags: [{ Key: 'vault-runbook:address', Value: nodeAddress(this.l, spec) }],
        }),
        { abortSignal: signal },
      )
      .catch((err: unknown) =>
        this.hooks.log(`${i.instanceId}: tagging failed: ${errorMessage(err)}`),
      );
  }

  #launch(spec: NodeSpec, existing?: Managed): void {
    const started = startVault(this.l, spec, this.tls);
    const now = Date.now();
    const m: Managed = existing ?? {
      spec,
      pid: 0,
      ticks: undefined,
      child: started.child,
      startedAt: '',
      killed: false,
      restarts: 0,
      nextRestart: 0,
    };
    m.pid = started.pid;
    m.ticks = startTicks(started.pid);
    m.child = started.child;
    m.startedAt = new Date(now).toISOString();
    m.nextRestart = now + Math.min(30_000, 2_000 * 2 ** m.restarts);
    this.#nodes.set(spec.instanceId, m);
    // The exit is only observed here; the loop decides what to do about it.
    void started.child.exited.then(() => this.hooks.changed());
    this.hooks.changed();
  }

  #freeSlot(): number | undefined {
    const used = new Set([...this.#nodes.values()].map((m) => m.spec.slot));
    for (let n = 1; n <= this.l.maxNodesPerRegion; n++) if (!used.has(n)) return n;
    this.hooks.log(`${this.key}: more than ${this.l.maxNodesPerRegion} nodes; not starting more`);
    return undefined;
  }

  async #stop(instanceId: string, why = 'stopping'): Promise<void> {
    const m = this.#nodes.get(instanceId);
    if (!m) return;
    this.hooks.log(
      `${nodeName(this.key, m.spec.slot)}: SIGTERM to Vault of ${instanceId} (${why}): a clean shutdown`,
    );
    // SIGTERM first: a clean shutdown releases the DynamoDB HA lock.
    await stopGroup(m.pid, 10_000, m.ticks);
    this.#nodes.delete(instanceId);
    this.hooks.changed();
  }

  find(target: string): NodeSpec | undefined {
    return [...this.#nodes.values()].map((m) => m.spec).find((s) => matches(this.l, s, target));
  }

  /** The fault `kill`: the process dies at once and the instance fails its health check. */
  async kill(instanceId: string, signal: AbortSignal): Promise<void> {
    const m = this.#nodes.get(instanceId);
    if (m) {
      m.killed = true;
      signalGroup(m.pid, 'SIGKILL');
      await waitDead(m.pid, 5_000, m.ticks);
    }
    try {
      await this.c.asg.send(
        new SetInstanceHealthCommand({
          InstanceId: instanceId,
          HealthStatus: 'Unhealthy',
          ShouldRespectGracePeriod: false,
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      this.hooks.log(`${instanceId}: could not mark unhealthy: ${errorMessage(err)}`);
    }
    this.hooks.changed();
  }

  /** A clean restart of one node's Vault (SIGTERM, start again): it comes back sealed. */
  async restart(instanceId: string): Promise<boolean> {
    const m = this.#nodes.get(instanceId);
    if (!m) return false;
    await stopGroup(m.pid, 10_000, m.ticks);
    m.killed = false;
    this.#launch(m.spec, m);
    // Answer only once the node serves its API again, so a caller sees it sealed, not gone.
    const addr = nodeAddress(this.l, m.spec);
    const ca = readFileSync(this.tls.ca);
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      if ((await vaultHealth(addr, ca, undefined, 1_000))?.sealed) break;
      await sleep(100);
    }
    return true;
  }

  /** Region outage: every process dies at once, nothing is replaced until the region is back. */
  async killAll(): Promise<void> {
    for (const m of this.#nodes.values()) {
      m.killed = true;
      signalGroup(m.pid, 'SIGKILL');
    }
    await Promise.all([...this.#nodes.values()].map((m) => waitDead(m.pid, 5_000, m.ticks)));
    this.#nodes.clear();
    this.hooks.changed();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#nodes.keys()].map((id) => this.#stop(id)));
  }

  /** The Vault version most of this region's nodes run (the newest on a tie), if any run. */
  version(): string | undefined {
    const count = new Map<string, number>();
    for (const m of this.#nodes.values())
      count.set(m.spec.version, (count.get(m.spec.version) ?? 0) + 1);
    return [...count.entries()].sort(
      (a, b) => b[1] - a[1] || b[0].localeCompare(a[0], 'en', { numeric: true }),
    )[0]?.[0];
  }

  specs(): NodeSpec[] {
    return [...this.#nodes.values()].map((m) => m.spec);
  }

  records(): ProcRecord[] {
    return [...this.#nodes.values()]
      .filter((m) => alive(m.pid, m.ticks))
      .sort((a, b) => a.spec.slot - b.spec.slot)
      .map((m) => nodeRecord(this.l, m.spec, m.pid, m.ticks, m.startedAt));
  }
}
