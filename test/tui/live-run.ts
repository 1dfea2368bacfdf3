import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement } from 'react';
import { stringify } from 'yaml';
import { createRun, type RunSession } from '../../src/app/session.js';
import type { RunResult } from '../../src/engine/interpreter.js';
import { App } from '../../src/ui/App.js';
import { UiController } from '../../src/ui/controller.js';
import { humanActionIds } from '../../src/app/registry.js';
import { renderTerm, type Term } from './helpers.js';

export interface LiveRun {
  readonly term: Term;
  /** The sessions the controller opened (the run's journal path among them). */
  readonly sessions: RunSession[];
  readonly done: Promise<RunResult | undefined>;
}

/**
 * The TUI running a shipped runbook against a real Vault at `address`, with a profile naming
 * `holders` (no PGP keys) and state under `dir`: what the interactive ceremony, generate-root
 * and rekey tests share.
 */
export function startLiveRun(opts: {
  readonly dir: string;
  readonly profileName: string;
  readonly address: string;
  readonly caCert: string;
  readonly holders: readonly string[];
  readonly runbook: string;
  readonly vars: string[];
}): LiveRun {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_STATE_HOME: join(opts.dir, 'state'),
    XDG_CONFIG_HOME: join(opts.dir, 'config'),
  };
  delete env.VAULT_RUNBOOK_PROFILE;
  delete env.VAULT_ADDR;
  const profile = join(opts.dir, 'profile.yaml');
  writeFileSync(
    profile,
    stringify({
      name: opts.profileName,
      vault: { addresses: [opts.address], tls: { ca_cert: opts.caCert } },
      keyholders: opts.holders.map((name) => ({ name })),
    }),
  );
  const sessions: RunSession[] = [];
  const controller = new UiController({
    runbooks: [],
    open: (id, ui) => {
      const s = createRun(
        { runbookRef: id, profile, vars: opts.vars },
        { human: ui.human, observers: [ui.observer], env },
      );
      sessions.push(s);
      return s;
    },
    humanActionIds: humanActionIds(),
    onQuit: () => undefined,
  });
  const term = renderTerm(createElement(App, { store: controller.store }));
  return { term, sessions, done: controller.startRun(opts.runbook) };
}
