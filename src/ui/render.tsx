import { render } from 'ink';
import type { RunResult } from '../engine/interpreter.js';
import type { ClusterStatus } from '../domain/cluster.js';
import { listRunbooks } from '../app/runbooks.js';
import type { RunSession } from '../app/session.js';
import type { StatusPoller } from '../app/status.js';
import { App } from './App.js';
import { toClusterView } from './cluster-view.js';
import { colorsWanted, makeTheme } from './context.js';
import { UiController, type ControllerOptions } from './controller.js';

// The first frame needs only Ink, the runbook list and the profile's name. What runs a
// runbook (the interpreter, every action, the Vault and AWS adapters) and the status poller
// are imported after it, so the screen appears before they load.

/** What it takes to run a runbook, loaded once, when first needed. */
async function runModules() {
  const [session, registry, clipboard] = await Promise.all([
    import('../app/session.js'),
    import('../app/registry.js'),
    import('../app/clipboard.js'),
  ]);
  return { ...session, ...registry, ...clipboard };
}
type RunModules = Awaited<ReturnType<typeof runModules>>;
let loading: Promise<RunModules> | undefined;
const loadRunModules = (): Promise<RunModules> => (loading ??= runModules());

export interface RenderOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
}

export interface TuiHandle {
  waitUntilExit(): Promise<void>;
  unmount(): void;
}

/** Mounts the app on the terminal. Ctrl-C is a key binding of ours, not Ink's exit. */
export function renderTui(controller: UiController, opts: RenderOptions = {}): TuiHandle {
  const theme = makeTheme(colorsWanted(opts.env));
  const instance = render(<App store={controller.store} theme={theme} />, {
    exitOnCtrlC: false,
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
    ...(opts.stderr ? { stderr: opts.stderr } : {}),
  });
  return {
    waitUntilExit: () => instance.waitUntilExit().then(() => undefined),
    unmount: () => instance.unmount(),
  };
}

type Open = ControllerOptions['open'];

interface DriveOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly profile?: string;
  readonly open: Open;
  /** The run to show first; built before the screen appears so that a bad runbook or
   * profile fails like in headless mode, with its message and exit code. */
  readonly first?: (controller: UiController, m: RunModules) => RunSession;
  /** The exit code when the person quits from a screen without a finished run. */
  readonly fallback: (last: RunResult | undefined) => number;
}

/**
 * The profile's name and live cluster status in the background, when a profile or VAULT_ADDR
 * names a cluster. Loaded after the first frame: the home screen works without a usable
 * profile, and a run reports what is wrong with it.
 */
async function clusterStatus(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  onUpdate: (s: ClusterStatus) => void,
  onPreview: (s: ClusterStatus) => void,
): Promise<{ profileName?: string; poller?: StatusPoller; close?: () => void }> {
  try {
    const [{ loadProfileLazily, profilePath }, { clusterPorts }, { screenPoller }] =
      await Promise.all([
        import('../app/profile-read.js'),
        import('../app/cluster-ports.js'),
        import('../app/status-screen.js'),
      ]);
    const profile = await loadProfileLazily(profilePath(explicit, env));
    const { vault, aws } = clusterPorts(profile, env);
    const poller = vault ? screenPoller(profile, vault, aws, onUpdate, onPreview) : undefined;
    return {
      ...(profile ? { profileName: profile.name } : {}),
      ...(poller ? { poller } : {}),
      ...(vault?.close ? { close: () => vault.close?.() } : {}),
    };
  } catch {
    return {};
  }
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

async function drive(opts: DriveOptions): Promise<number> {
  let ui: TuiHandle | undefined;
  let code: number | undefined;
  let last: RunResult | undefined;
  let quitting = false;
  // Filled from the action registry once it is loaded, before any run can be shown.
  const humanIds = new Set<string>();
  const modulesReady = (m: RunModules): RunModules => {
    for (const id of m.humanActionIds()) humanIds.add(id);
    return m;
  };
  // What a run needs, loaded in the background on the home screen: after the first status
  // rows (it would compete with them for the CPU), or at once when a runbook is opened first.
  let preloading = false;
  const preload = (): void => {
    if (preloading) return;
    preloading = true;
    void loadRunModules().then(modulesReady, () => undefined);
  };
  const controller = new UiController({
    runbooks: listRunbooks(opts.env).map(({ id, title, description }) => ({
      id,
      title,
      description,
    })),
    open: (...args) => {
      preload();
      return opts.open(...args);
    },
    humanActionIds: humanIds,
    onQuit: (result) => {
      code = result?.exitCode ?? opts.fallback(last);
      ui?.unmount();
    },
  });
  const { store } = controller;
  const session = opts.first
    ? opts.first(controller, modulesReady(await loadRunModules()))
    : undefined;
  const sessionProfile = session?.interpreter.state.meta.profileName;
  if (sessionProfile) store.setState({ profileName: sessionProfile });
  const unsubscribe = store.subscribe((s) => {
    if (s.run?.result) {
      last = s.run.result;
      if (quitting) s.actions.quit();
    }
  });
  // A signal (tmux kill, a closed terminal) stops the run like a confirmed Ctrl-C, then quits.
  const onSignal = (): void => {
    quitting = true;
    const s = store.getState();
    if (s.run && !s.run.result) s.actions.confirmAbort();
    else s.actions.quit();
  };
  for (const sig of SIGNALS) process.on(sig, onSignal);
  let poller: StatusPoller | undefined;
  let closeCluster: (() => void) | undefined;
  let stopped = false;
  try {
    ui = renderTui(controller, { env: opts.env });
    // After the first frame: the journals' word on a run that left the cluster stopped.
    void import('../app/pending-stops.js').then(
      (m) => store.setState({ warnings: m.pendingStopWarnings(opts.env) }),
      (err: unknown) =>
        store.setState({ warnings: [`could not check the run journals: ${String(err)}`] }),
    );
    // After the first frame: the poller, and (on the home screen) what a run will need.
    const onStatus = (s: ClusterStatus): void => {
      controller.updateCluster(s);
      if (!session) preload();
    };
    // The first round's rows as their nodes answer: the screen only, never a run's cluster.
    const onPreview = (s: ClusterStatus): void => store.setState({ cluster: toClusterView(s) });
    void clusterStatus(opts.profile, opts.env, onStatus, onPreview).then((c) => {
      if (c.profileName && !session) store.setState({ profileName: c.profileName });
      poller = c.poller;
      closeCluster = c.close;
      if (!stopped) poller?.start();
      else closeCluster?.();
      if (!poller && !session) preload();
    });
    // A failure is shown in the error panel; the exit code comes from the result.
    if (session) controller.attach(session).catch(() => undefined);
    await ui.waitUntilExit();
    return code ?? opts.fallback(last);
  } finally {
    stopped = true;
    poller?.stop();
    // The poller's pooled connections to the nodes: nothing keeps the process after the screen.
    closeCluster?.();
    unsubscribe();
    for (const sig of SIGNALS) process.off(sig, onSignal);
  }
}

function openFor(
  env: NodeJS.ProcessEnv,
  profile: string | undefined,
  first?: { ref: string; vars?: readonly string[]; dryRun?: boolean },
): Open {
  // Shares a keyholder copies are taken back after 30 s, and at exit whatever the delay.
  let clipboard: ReturnType<RunModules['systemClipboard']> | undefined;
  return async (runbookId, { human, observer }) => {
    const m = await loadRunModules();
    clipboard ??= m.systemClipboard();
    return m.createRun(
      {
        runbookRef: runbookId,
        ...(profile ? { profile } : {}),
        // --var and --dry-run were given for the runbook named on the command line only.
        ...(first && runbookId === first.ref
          ? { vars: first.vars ?? [], dryRun: first.dryRun ?? false }
          : {}),
      },
      { human, observers: [observer], env, clipboard },
    );
  };
}

/** `vault-runbook run <runbook>` on a terminal; resolves with the process exit code. */
export function runTuiRun(opts: {
  runbookRef: string;
  profile?: string;
  vars?: string[];
  dryRun?: boolean;
  forceDespite?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<number> {
  const env = opts.env ?? process.env;
  const open = openFor(env, opts.profile, {
    ref: opts.runbookRef,
    ...(opts.vars ? { vars: opts.vars } : {}),
    ...(opts.dryRun !== undefined ? { dryRun: opts.dryRun } : {}),
  });
  return drive({
    env,
    ...(opts.profile ? { profile: opts.profile } : {}),
    open,
    first: (c, m) =>
      m.createRun(
        {
          runbookRef: opts.runbookRef,
          ...(opts.profile ? { profile: opts.profile } : {}),
          vars: opts.vars ?? [],
          dryRun: opts.dryRun ?? false,
          ...(opts.forceDespite !== undefined ? { forceDespite: opts.forceDespite } : {}),
        },
        { human: c, observers: [c], env, clipboard: m.systemClipboard() },
      ),
    // Quitting before the run produced a result counts as an operator abort.
    fallback: (last) => last?.exitCode ?? 3,
  });
}

/** `vault-runbook` with no verb on a terminal: the runbook list; enter starts one. */
export function runTuiHome(opts: { profile?: string; env?: NodeJS.ProcessEnv }): Promise<number> {
  const env = opts.env ?? process.env;
  return drive({
    env,
    ...(opts.profile ? { profile: opts.profile } : {}),
    open: openFor(env, opts.profile),
    fallback: () => 0,
  });
}

/** `vault-runbook resume <run-id>` on a terminal. */
export function runTuiResume(opts: {
  runId: string;
  env?: NodeJS.ProcessEnv;
  force?: boolean;
}): Promise<number> {
  const env = opts.env ?? process.env;
  return drive({
    env,
    open: openFor(env, undefined),
    first: (c, m) =>
      m.resumeRun(opts.runId, {
        human: c,
        observers: [c],
        env,
        clipboard: m.systemClipboard(),
        ...(opts.force ? { force: true } : {}),
      }),
    fallback: (last) => last?.exitCode ?? 3,
  });
}
