import { credentialsFromEnv } from '../adapters/credentials.js';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, UsageError, ValidationError } from '../domain/errors.js';
import { renderDeep, stringify } from '../domain/expr.js';
import { parseProfile, parseRunbook } from '../domain/load.js';
import type { Profile, Runbook } from '../domain/schema.js';
import { Redactor } from '../domain/secret.js';
import { builtinRegistry } from '../engine/actions/builtin.js';
import type { ActionRegistry } from '../engine/actions/registry.js';
import { Interpreter, type RunObserver, type RunResult } from '../engine/interpreter.js';
import type { ClipboardPort, HumanPort, Ports } from '../engine/ports.js';
import { initialState, replay } from '../engine/reducer.js';
import type { RunMeta, RunState } from '../engine/state.js';
import { systemClock } from '../adapters/clock.js';
import { journalKeyPath, loadJournalKey, type JournalKey } from '../adapters/journal-key.js';
import {
  FsJournal,
  journalPath,
  MemoryJournal,
  newRunId,
  operatorName,
} from '../adapters/journal.js';
import { configDir } from '../adapters/paths.js';
import { LocalFiles } from '../adapters/files.js';
import { ExecaProcess } from '../adapters/process.js';
import { awsFromProfile } from '../adapters/aws.js';
import { imagesFromProfile } from '../adapters/image.js';
import { vaultFromProfile } from '../adapters/vault.js';
import type { AwsPort } from '../engine/aws.js';
import type { VaultPort } from '../engine/vault.js';

/** The package's own runbooks/ folder, from dist/cli or src/cli alike. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function runbookDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [join(configDir(env), 'runbooks'), join(packageRoot(), 'runbooks')];
  if (env.VAULT_RUNBOOK_PATH) dirs.unshift(...env.VAULT_RUNBOOK_PATH.split(':').filter(Boolean));
  return dirs;
}

export interface RunbookEntry {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly file: string;
}

export function registry(): ActionRegistry {
  return builtinRegistry();
}

export function loadRunbookFile(file: string, reg: ActionRegistry = registry()): Runbook {
  const text = readFileSync(file, 'utf8');
  const r = parseRunbook(text, file, {
    knownActions: reg.ids(),
    checkWith: (u, w) => reg.checkWith(u, w),
  });
  if (!r.value) throw new ValidationError(r.diagnostics);
  return r.value;
}

/** A runbook id from the runbook folders, or a path to a YAML file. */
export function resolveRunbook(ref: string, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.includes('/') || ref.endsWith('.yaml') || ref.endsWith('.yml')) {
    if (!existsSync(ref)) throw new UsageError(`no runbook file ${ref}`);
    return resolve(ref);
  }
  for (const dir of runbookDirs(env)) {
    for (const ext of ['.yaml', '.yml']) {
      const f = join(dir, `${ref}${ext}`);
      if (existsSync(f)) return f;
    }
  }
  const known = listRunbooks(env).map((r) => r.id);
  throw new UsageError(`no runbook '${ref}'`, [
    `known runbooks: ${known.join(', ') || '(none)'}`,
    'or give a path to a YAML file',
  ]);
}

export function listRunbooks(env: NodeJS.ProcessEnv = process.env): RunbookEntry[] {
  const seen = new Map<string, RunbookEntry>();
  for (const dir of runbookDirs(env)) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const file = join(dir, f);
      const r = parseRunbook(readFileSync(file, 'utf8'), file);
      const id = r.value?.id ?? f.replace(/\.ya?ml$/, '');
      if (seen.has(id)) continue;
      seen.set(id, {
        id,
        title:
          r.value?.title ??
          `(invalid: ${r.diagnostics[0] ? formatDiagnostic(r.diagnostics[0]) : 'unreadable'})`,
        description: r.value?.description?.trim() ?? '',
        file,
      });
    }
  }
  return [...seen.values()];
}

/** --profile, then $VAULT_RUNBOOK_PROFILE, then the profile `sandbox up` selected. */
export function profilePath(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (explicit) return resolve(explicit);
  if (env.VAULT_RUNBOOK_PROFILE) return resolve(env.VAULT_RUNBOOK_PROFILE);
  const pointer = join(configDir(env), 'current-profile');
  if (existsSync(pointer)) {
    const p = readFileSync(pointer, 'utf8').trim();
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

export function loadProfile(path: string | undefined): Profile | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) throw new UsageError(`no profile file ${path}`);
  const r = parseProfile(readFileSync(path, 'utf8'), path);
  if (!r.value) throw new ValidationError(r.diagnostics);
  // A keyholder's key file is named relative to the profile, wherever the tool is run from.
  const keyholders = r.value.keyholders?.map((k) =>
    k.pgp_key ? { ...k, pgp_key: resolve(dirname(path), k.pgp_key) } : k,
  );
  return keyholders ? { ...r.value, keyholders } : r.value;
}

export function parseVars(vars: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`--var needs key=value, got '${v}'`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

export function resolveInputs(
  rb: Runbook,
  vars: Record<string, string>,
  profile: Profile | undefined,
  cluster: unknown = {},
): Record<string, unknown> {
  const declared = new Map((rb.inputs ?? []).map((i) => [i.name, i]));
  for (const k of Object.keys(vars))
    if (!declared.has(k))
      throw new UsageError(`runbook '${rb.id}' has no input '${k}'`, [
        `its inputs: ${[...declared.keys()].join(', ') || '(none)'}`,
      ]);
  const inputs: Record<string, unknown> = {};
  for (const input of rb.inputs ?? []) {
    let v: unknown = vars[input.name];
    if (v === undefined && input.default !== undefined)
      v = renderDeep(input.default, {
        inputs,
        profile: profile ?? {},
        cluster,
        steps: {},
        run: {},
      });
    if ((v === undefined || v === '') && input.required)
      throw new UsageError(
        `runbook '${rb.id}' needs input '${input.name}'${input.description ? ` (${input.description})` : ''}`,
        [`--var ${input.name}=…`],
      );
    if (input.choices && v !== undefined && !input.choices.includes(stringify(v)))
      throw new UsageError(
        `input '${input.name}' must be one of ${input.choices.join(', ')}, not '${stringify(v)}'`,
      );
    inputs[input.name] = v;
  }
  return inputs;
}

export interface SessionOptions {
  readonly human: HumanPort;
  readonly observers?: readonly RunObserver[];
  readonly clipboard?: ClipboardPort;
  readonly env?: NodeJS.ProcessEnv;
  readonly redactor?: Redactor;
}

export interface RunSession {
  readonly runId: string;
  readonly journalPath?: string;
  readonly interpreter: Interpreter;
  readonly runbook: Runbook;
  readonly redactor: Redactor;
  /** Starts (or resumes) the run; resolves when it finishes or waits for a person. */
  go(): Promise<RunResult>;
  /** The journal's last record so far: its hash, shown at the end, seals the whole run. */
  journalHead(): { seq: number; hash: string } | undefined;
  close(): void;
}

/** The Vault port when a profile or VAULT_ADDR names a cluster; a runbook without Vault steps needs none. */
export function clusterPorts(
  profile: Profile | undefined,
  env: NodeJS.ProcessEnv,
): { vault?: VaultPort; aws?: AwsPort } {
  const hasVault = (profile?.vault.addresses?.length ?? 0) > 0 || Boolean(env.VAULT_ADDR);
  const aws = awsFromProfile(profile);
  return {
    ...(hasVault ? { vault: vaultFromProfile(profile, env) } : {}),
    ...(aws ? { aws } : {}),
  };
}

function ports(opts: SessionOptions, profile: Profile | undefined): Ports {
  return {
    process: new ExecaProcess(),
    clock: systemClock,
    human: opts.human,
    files: new LocalFiles(),
    ...(opts.clipboard ? { clipboard: opts.clipboard } : {}),
    ...clusterPorts(profile, opts.env ?? process.env),
    credentials: credentialsFromEnv(opts.env ?? process.env),
    ...withImages(profile, opts.env ?? process.env),
  };
}

function withImages(profile: Profile | undefined, env: NodeJS.ProcessEnv): Pick<Ports, 'image'> {
  const image = imagesFromProfile(profile, env);
  return image ? { image } : {};
}

export interface NewRunRequest {
  readonly runbookRef: string;
  readonly profile?: string;
  readonly vars?: readonly string[];
  readonly dryRun?: boolean;
}

function requireJournalKey(env: NodeJS.ProcessEnv): JournalKey {
  const key = loadJournalKey(env, { create: true });
  if (!key) throw new Error(`no journal key at ${journalKeyPath(env)}`);
  return key;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function createRun(req: NewRunRequest, opts: SessionOptions): RunSession {
  const env = opts.env ?? process.env;
  const reg = registry();
  const file = resolveRunbook(req.runbookRef, env);
  const runbook = loadRunbookFile(file, reg);
  const pPath = profilePath(req.profile, env);
  const profile = loadProfile(pPath);
  const inputs = resolveInputs(runbook, parseVars(req.vars ?? []), profile);
  const runId = newRunId(runbook.id);
  const operator = operatorName(env);
  const meta: RunMeta = {
    runId,
    runbookFile: file,
    runbookSha256: sha256(readFileSync(file, 'utf8')),
    inputs,
    ...(profile ? { profileName: profile.name } : {}),
    ...(pPath ? { profileFile: pPath } : {}),
    dryRun: req.dryRun ?? false,
  };
  const path = req.dryRun ? undefined : journalPath(runId, env);
  const journal = path
    ? FsJournal.create(path, runId, { operator, key: requireJournalKey(env) })
    : new MemoryJournal();
  const redactor = opts.redactor ?? new Redactor();
  const interpreter = new Interpreter(initialState(runbook, meta, profile), {
    registry: reg,
    ports: ports(opts, profile),
    journal,
    redactor,
    operator,
    clusterName: profile?.name ?? runbook.id,
    observers: opts.observers ?? [],
  });
  return {
    runId,
    ...(path ? { journalPath: path } : {}),
    interpreter,
    runbook,
    redactor,
    go: () => interpreter.start(runbook.title),
    journalHead: () => (journal instanceof FsJournal ? journal.head() : undefined),
    close: () => {
      if (journal instanceof FsJournal) journal.close();
    },
  };
}

export function resumeRun(runId: string, opts: SessionOptions & { force?: boolean }): RunSession {
  const env = opts.env ?? process.env;
  const path = journalPath(runId, env);
  const operator = operatorName(env);
  const { journal, records } = FsJournal.reopen(path, { operator, key: requireJournalKey(env) });
  try {
    const first = records[0]?.event;
    if (first?.type !== 'run-started')
      throw new UsageError(`journal ${path} does not start with run-started`);
    const meta = first.meta;
    const last = records[records.length - 1]?.event;
    if (last?.type === 'run-finished')
      throw new UsageError(`run ${runId} already finished (${last.outcome.kind})`, [
        `vault-runbook journal show ${runId}`,
      ]);
    if (!existsSync(meta.runbookFile))
      throw new UsageError(`the runbook of run ${runId} is gone: ${meta.runbookFile}`);
    const text = readFileSync(meta.runbookFile, 'utf8');
    if (sha256(text) !== meta.runbookSha256 && !opts.force)
      throw new UsageError(`runbook ${meta.runbookFile} changed since run ${runId} started`, [
        'resume with --force to continue with the changed runbook',
      ]);
    const reg = registry();
    const runbook = loadRunbookFile(meta.runbookFile, reg);
    const profile = loadProfile(meta.profileFile);
    const state: RunState = replay(
      records.map((r) => ({ event: r.event, time: r.time })),
      () => initialState(runbook, meta, profile),
    );
    const redactor = opts.redactor ?? new Redactor();
    const interpreter = new Interpreter(state, {
      registry: reg,
      ports: ports(opts, profile),
      journal,
      redactor,
      operator,
      clusterName: profile?.name ?? runbook.id,
      observers: opts.observers ?? [],
    });
    return {
      runId,
      journalPath: path,
      interpreter,
      runbook,
      redactor,
      go: () => interpreter.resume(),
      journalHead: () => journal.head(),
      close: () => journal.close(),
    };
  } catch (err) {
    journal.close();
    throw err;
  }
}
