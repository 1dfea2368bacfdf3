import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:net';
import { errorMessage } from '../domain/errors.js';
import { ensureTls, type TlsFiles } from './certs.js';
import { AwsRouter } from './aws-router.js';
import { makeClients, type Clients } from './clients.js';
import { serveControl, type ControlReply, type ControlRequest } from './control.js';
import { runFault, type FaultContext } from './faults.js';
import { startInfra, startMinio, waitHttp, type InfraProc } from './infra.js';
import {
  minioUrl,
  motoUrl,
  REGION_KEYS,
  s3RouterUrl,
  type Layout,
  type RegionKey,
} from './layout.js';
import { Mutex, sleep, stopGroup } from './procs.js';
import { provision, type Resources } from './provision.js';
import { ActiveProxy } from './proxy.js';
import { RegionReconciler } from './reconcile.js';
import { Replicator } from './replicator.js';
import { S3Router } from './s3-router.js';
import { RecoveryInstances } from './recovery-instances.js';
import { RecoveryNodes } from './recovery.js';
import { handleMore, pollDns, regionRecords, type MoreOps } from './supervisor-ops.js';
import { writeState, type DnsRecord, type Phase } from './state.js';
import { snapshot } from './snapshot.js';
import type { Tools } from './tools.js';
import { nodeAddress } from './vault-node.js';

/**
 * The sandbox's one long-lived process: starts moto and MinIO, provisions the AWS side, keeps
 * the ASGs' instances backed by real Vault servers, routes each region's proxy to its active
 * node, replicates primary → DR, and takes faults over its control socket.
 */
export class Supervisor {
  readonly #abort = new AbortController();
  readonly #lock = new Mutex();
  readonly #events: { seq: number; message: string }[] = [];
  readonly #infra = new Map<string, InfraProc>();
  readonly #proxies = new Map<RegionKey, ActiveProxy>();
  readonly reconcilers = new Map<RegionKey, RegionReconciler>();
  #seq = 0;
  #phase: Phase = 'starting';
  #error: string | undefined;
  #clients: Clients | undefined;
  #tls: TlsFiles | undefined;
  #replicator: Replicator | undefined;
  #control: Server | undefined;
  #s3: S3Router | undefined;
  #aws: AwsRouter | undefined;
  #dirty = false;
  readonly startedAt = new Date().toISOString();
  readonly downAzs = new Set<string>();
  readonly brokenImages = new Set<string>();
  regionDown = false;
  #recovery: RecoveryNodes | undefined;
  #recoveryInstances: RecoveryInstances | undefined;
  #dns: DnsRecord | undefined;

  constructor(
    readonly l: Layout,
    readonly tools: Tools,
    readonly defaultVersion: string,
  ) {}

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  log(message: string): void {
    this.#events.push({ seq: ++this.#seq, message });
    if (this.#events.length > 300) this.#events.shift();
    process.stdout.write(`${new Date().toISOString()} ${message}\n`);
    this.changed();
  }

  changed(): void {
    this.#dirty = true;
  }

  async run(): Promise<void> {
    const l = this.l;
    mkdirSync(l.logsDir, { recursive: true, mode: 0o700 });
    this.#flush();
    this.#control = await serveControl(l.socket, (req) => this.#handle(req));
    const flusher = setInterval(() => this.#dirty && this.#flush(), 200);
    try {
      await this.#start();
      this.#phase = 'ready';
      this.log('supervisor: ready');
      await this.#loop();
    } catch (err) {
      if (!this.signal.aborted) {
        this.#phase = 'failed';
        this.#error = errorMessage(err);
        this.log(`supervisor: failed: ${this.#error}`);
      }
    } finally {
      clearInterval(flusher);
      await this.#teardown();
    }
  }

  async #start(): Promise<void> {
    const l = this.l;
    const signal = this.signal;
    this.#tls = await ensureTls(l, signal);
    this.log(`tls: sandbox CA ${this.#tls.ca}`);
    await startInfra(l, this.tools, this.#infra, (m) => this.log(m), signal);
    const p = l.regions.primary;
    this.#s3 = new S3Router(
      l.host,
      l.s3Port,
      (bucket) => (bucket === l.regions.dr.bucket ? minioUrl(l, 'dr') : this.#primaryS3()),
      () => this.#primaryS3() ?? minioUrl(l, 'dr'),
    );
    await this.#s3.start();
    this.log(
      `s3: ${s3RouterUrl(l)} → ${p.bucket} on minio-primary, ${l.regions.dr.bucket} on minio-dr`,
    );
    // The supervisor's own clients (and the Vault nodes' lock) reach moto directly: the
    // emulated region keeps existing while its APIs are down to the operator.
    this.#aws = new AwsRouter(
      l.host,
      l.awsPort,
      motoUrl(l),
      (region) => this.apisDown && region === p.region,
    );
    await this.#aws.start();
    this.log(`aws: ${this.#aws.url} → moto (the profile's AWS endpoint)`);
    const clients = makeClients(l);
    this.#clients = clients;
    const versions = [...this.tools.vault.keys()];
    const res: Resources = await provision(l, clients, versions, this.defaultVersion, signal);
    this.log(
      `aws: buckets (versioned), HA tables, AMIs for Vault ${versions.join(', ')}, launch templates, ASGs, target groups, Route 53 zone ${res.zoneId}`,
    );
    this.resources = res;
    for (const k of REGION_KEYS) {
      const rec = new RegionReconciler(
        l,
        k,
        clients.regions[k],
        res.regions[k],
        this.tools,
        this.#tls,
        {
          log: (m) => this.log(m),
          changed: () => this.changed(),
          downAzs: () => this.downAzs,
          regionDown: () => this.regionDown,
          brokenImage: (ami, version) =>
            this.brokenImages.has(ami) || this.brokenImages.has(version),
        },
      );
      this.reconcilers.set(k, rec);
      const proxy = new ActiveProxy(
        l.regions[k].proxyHost,
        l.proxyPort,
        this.#tls,
        () => rec.specs().map((s) => nodeAddress(l, s)),
        (active) =>
          this.log(`proxy-${k}: ${active ? `→ ${active} (active)` : 'no active node (503)'}`),
      );
      await proxy.start();
      this.#proxies.set(k, proxy);
      this.log(`proxy-${k}: ${proxy.address}`);
    }
    this.#replicator = new Replicator(
      { s3: clients.regions.primary.s3, bucket: p.bucket },
      { s3: clients.regions.dr.s3, bucket: l.regions.dr.bucket },
      join(l.dir, 'replicated-versions.json'),
    );
    this.log('replication: primary → dr (emulated CRR), lag 0 s');
    this.#recovery = new RecoveryNodes(l, clients, this.tools, this.#tls, {
      log: (m) => this.log(m),
      changed: () => this.changed(),
      regionVersion: (k) => this.reconcilers.get(k)?.version(),
      defaultVersion: this.defaultVersion,
    });
    this.#recoveryInstances = new RecoveryInstances(
      clients.regions.primary.ec2,
      this.#recovery,
      (m) => this.log(m),
    );
    await (this.reconcilers.get('primary') as RegionReconciler).fill(
      l.regions.primary.desired,
      signal,
    );
    this.log(`asg ${l.regions.primary.asg}: desired ${l.regions.primary.desired}`);
  }

  resources: Resources | undefined;
  /** The primary's AWS APIs (not Route 53) are unreachable: `region-down apis-down`. */
  apisDown = false;
  /** The primary's S3 endpoint is down (a full region-down; `region-down s3-up` keeps it). */
  #s3Down = false;

  #primaryS3(): string | undefined {
    return this.#s3Down ? undefined : minioUrl(this.l, 'primary');
  }

  async #loop(): Promise<void> {
    const signal = this.signal;
    let lastRepl = 0;
    let lastDns = 0;
    while (!signal.aborted) {
      if (Date.now() - lastDns >= 2_000) {
        lastDns = Date.now();
        await this.#readDns(signal);
      }
      const t0 = Date.now();
      await this.#lock.run(async () => {
        for (const rec of this.reconcilers.values())
          await rec.pass(signal).catch((err: unknown) => {
            if (!signal.aborted) this.log(`reconcile ${rec.key}: ${errorMessage(err)}`);
          });
        if (!this.regionDown && !this.apisDown)
          await this.#recoveryInstances?.pass(signal).catch((err: unknown) => {
            if (!signal.aborted) this.log(`reconcile recovery instances: ${errorMessage(err)}`);
          });
      });
      if (!this.regionDown && this.#replicator && Date.now() - lastRepl >= 1_000) {
        lastRepl = Date.now();
        await this.#replicator.pass(signal);
        this.changed();
      }
      await sleep(Math.max(100, 1_000 - (Date.now() - t0)), signal);
    }
  }

  async #readDns(signal: AbortSignal): Promise<void> {
    const zoneId = this.resources?.zoneId;
    if (!zoneId || !this.#clients) return;
    this.#dns = await pollDns(this.l, this.#clients, zoneId, this.#dns, (m) => this.log(m), signal);
    this.changed();
  }

  async #handle(req: ControlRequest): Promise<ControlReply> {
    switch (req.op) {
      case 'ping':
        return { ok: true, message: this.#phase };
      case 'shutdown':
        this.log('supervisor: shutdown requested');
        this.#abort.abort();
        return { ok: true, message: 'stopping' };
      case 'resolve': {
        for (const rec of this.reconcilers.values()) {
          const s = rec.find(req.target);
          if (s) return { ok: true, data: { ...s, address: nodeAddress(this.l, s) } };
        }
        return { ok: false, usage: true, error: `no running node '${req.target}'` };
      }
      case 'restart':
        return this.#lock.run(async () => {
          for (const rec of this.reconcilers.values()) {
            const s = rec.find(req.target);
            if (s && (await rec.restart(s.instanceId))) {
              this.log(`restart: ${req.target} (${s.instanceId}) restarted, sealed`);
              return { ok: true };
            }
          }
          return { ok: false, usage: true, error: `no running node '${req.target}'` };
        });
      case 'fault':
        if (this.#phase !== 'ready')
          return { ok: false, error: `the sandbox is ${this.#phase}, not ready for faults` };
        return this.#lock.run(() => runFault(this.#faultContext(), req.kind, req.target));
      case 'image':
      case 'replication':
      case 'recovery-start':
      case 'recovery-stop':
      case 'recovery-list':
        return this.#more(req);
    }
  }

  #more(req: MoreOps): Promise<ControlReply> {
    if (this.#phase !== 'ready')
      return Promise.resolve({ ok: false, error: `the sandbox is ${this.#phase}, not ready` });
    return handleMore(req, {
      tools: this.tools,
      clients: this.#clients as Clients,
      reconcilers: this.reconcilers,
      replicator: this.#replicator as Replicator,
      recovery: this.#recovery as RecoveryNodes,
      regionDown: () => this.regionDown,
      lock: this.#lock,
      log: (m) => this.log(m),
      signal: this.signal,
    });
  }

  #faultContext(): FaultContext {
    return {
      l: this.l,
      signal: this.signal,
      clients: this.#clients as Clients,
      reconcilers: this.reconcilers,
      replicator: this.#replicator as Replicator,
      downAzs: this.downAzs,
      brokenImages: this.brokenImages,
      isRegionDown: () => this.regionDown,
      log: (m) => this.log(m),
      regionUp: async () => {
        // The same data dir: the bucket comes back exactly as it was at the failure.
        if (!this.#infra.has('minio-primary')) {
          const minio = startMinio(this.l, this.tools, 'primary');
          this.#infra.set(minio.record.name, minio);
          await waitHttp(
            `${minioUrl(this.l, 'primary')}/minio/health/live`,
            minio,
            60_000,
            this.signal,
          );
        }
        this.#s3Down = false;
        this.apisDown = false;
        this.regionDown = false;
        await this.#proxies.get('primary')?.start();
        this.changed();
      },
      regionDown: async (opts) => {
        this.regionDown = true;
        if (this.#replicator) this.#replicator.paused = 'the primary region went down';
        await this.reconcilers.get('primary')?.killAll();
        await this.#proxies.get('primary')?.stop();
        if (opts?.apisDown) this.apisDown = true;
        if (opts?.keepS3) {
          this.changed();
          return;
        }
        this.#s3Down = true;
        const minio = this.#infra.get('minio-primary');
        if (minio) await stopGroup(minio.record.pid, 0, minio.record.startTicks);
        this.#infra.delete('minio-primary');
        this.changed();
      },
    };
  }

  #flush(): void {
    this.#dirty = false;
    writeState(
      this.l.stateFile,
      snapshot({
        l: this.l,
        phase: this.#phase,
        ...(this.#error ? { error: this.#error } : {}),
        startedAt: this.startedAt,
        events: this.#events,
        infra: [...this.#infra.values()].map((p) => p.record),
        reconcilers: this.reconcilers,
        proxies: this.#proxies,
        regionDown: this.regionDown,
        apisDown: this.apisDown,
        downAzs: this.downAzs,
        brokenImages: this.brokenImages,
        regions: regionRecords(this.l, this.reconcilers, this.regionDown),
        ...(this.#dns ? { dns: this.#dns } : {}),
        recovery: this.#recovery,
        ...(this.#replicator ? { replicator: this.#replicator } : {}),
        ...(this.resources ? { resources: this.resources } : {}),
        defaultVersion: this.defaultVersion,
      }),
    );
  }

  async #teardown(): Promise<void> {
    const failed = this.#phase === 'failed';
    if (!failed) this.#phase = 'stopping';
    this.#flush();
    for (const p of this.#proxies.values()) await p.stop();
    this.#proxies.clear();
    await this.#s3?.stop();
    await this.#aws?.stop();
    // Vault first (clean shutdown releases the HA lock in DynamoDB), then what it depends on.
    await Promise.all([...this.reconcilers.values()].map((r) => r.stopAll()));
    await this.#recovery?.stopAll(AbortSignal.timeout(10_000));
    await Promise.all(
      [...this.#infra.values()].map((p) => stopGroup(p.record.pid, 5_000, p.record.startTicks)),
    );
    this.#infra.clear();
    this.#clients?.destroy();
    this.#control?.close();
    try {
      unlinkSync(this.l.socket);
    } catch {
      // already gone
    }
    if (!failed) this.#phase = 'stopped';
    this.#flush();
  }

  stop(): void {
    this.#abort.abort();
  }
}
