// The composition root: the one place that picks an adapter for each port. A command loads
// only what it uses — the AWS SDK clients are imported by the adapter when a profile with an
// `aws` section first calls them; a profile without one never loads them.
import type { Profile } from '../domain/schema.js';
import type { ClipboardPort, HumanPort, Ports, ProcessPort } from '../engine/ports.js';
import { systemClock } from '../adapters/clock.js';
import { credentialsFromEnv } from '../adapters/credentials.js';
import { LocalFiles } from '../adapters/files.js';
import { imagesFromProfile } from '../adapters/image.js';
import { recoveryFromProfile } from '../adapters/recovery.js';
import { pastRuns } from '../adapters/journal-scan.js';
import { SANDBOX_CREDENTIALS } from '../sandbox/layout.js';
import { clusterPorts } from './cluster-ports.js';

// The status pane needs only the cluster's ports: they live in their own module, so the TUI
// loads them without what runs need (execa, the image builder, the recovery adapter).
export { awsForProfile, clusterPorts } from './cluster-ports.js';

/**
 * The process port, loaded on its first command: execa is among the costliest imports, and
 * most runs (and every TUI start) never spawn a process before the screen is up.
 */
class LazyProcess implements ProcessPort {
  #real: Promise<ProcessPort> | undefined;
  #get(): Promise<ProcessPort> {
    this.#real ??= import('../adapters/process.js').then((m) => new m.ExecaProcess());
    return this.#real;
  }
  run(...args: Parameters<ProcessPort['run']>): ReturnType<ProcessPort['run']> {
    return this.#get().then((p) => p.run(...args));
  }
  killStale(...args: Parameters<ProcessPort['killStale']>): ReturnType<ProcessPort['killStale']> {
    return this.#get().then((p) => p.killStale(...args));
  }
}

function recoveryPort(profile: Profile | undefined, env: NodeJS.ProcessEnv) {
  const recovery = recoveryFromProfile(
    profile,
    env,
    profile?.image?.builder === 'sandbox' ? { credentials: { ...SANDBOX_CREDENTIALS } } : {},
  );
  return recovery ? { recovery } : {};
}

function withImages(profile: Profile | undefined, env: NodeJS.ProcessEnv): Pick<Ports, 'image'> {
  const image = imagesFromProfile(profile, env);
  return image ? { image } : {};
}

export function runPorts(
  human: HumanPort,
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
  clipboard?: ClipboardPort,
): Ports {
  return {
    process: new LazyProcess(),
    clock: systemClock,
    human,
    files: new LocalFiles(),
    journals: { runs: () => pastRuns(env) },
    credentials: credentialsFromEnv(env),
    ...recoveryPort(profile, env),
    ...withImages(profile, env),
    ...(clipboard ? { clipboard } : {}),
    ...clusterPorts(profile, env),
  };
}
