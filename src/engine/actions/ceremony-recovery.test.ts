import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFiles } from '../../adapters/files.js';
import { ceremonySummary } from '../../cli/ceremony-transcript.js';
import type { Profile } from '../../domain/schema.js';
import { Redactor, Secret } from '../../domain/secret.js';
import { FakeVault } from '../../test-support/fake-vault.js';
import {
  instantClock,
  FakeProcess,
  runbookFrom,
  ScriptedAnswers,
} from '../../test-support/fakes.js';
import type { HumanAnswer, HumanPrompt } from '../human.js';
import { Interpreter, type RunResult } from '../interpreter.js';
import { initialState, replay } from '../reducer.js';
import type { RunEvent, RunState } from '../state.js';
import type { FilesPort, PastRun } from '../ports.js';
import type { VaultPort } from '../vault.js';
import { builtinRegistry } from './builtin.js';
import { uninitializedCheck } from './init.js';

/**
 * The bootstrap ceremony killed at every point (the process gone: nothing more is journaled,
 * every secret in memory lost), then resumed from its journal in a new interpreter, as
 * `vault-runbook resume` does. It ends done, or with a message that names the cluster's state
 * and what finishes it.
 */

const runbook = runbookFrom(
  readFileSync(join(import.meta.dirname, '../../../runbooks/bootstrap-ceremony.yaml'), 'utf8'),
);
const profile: Profile = {
  name: 'prod',
  vault: { addresses: ['https://node-1:8200'] },
  keyholders: [{ name: 'Ann' }, { name: 'Ben' }, { name: 'Cat' }],
};
const NEVER = new Promise<never>(() => undefined);

/** Keyholders at the screen: they record their shares, prove them, and type them back. */
function room(vault: FakeVault) {
  let lastShown = '';
  let unsealAt = 0;
  let generateAt = 0;
  return new ScriptedAnswers((_step, p: HumanPrompt): HumanAnswer => {
    switch (p.type) {
      case 'confirm':
        return { type: 'confirm', value: true };
      case 'instructions':
        return { type: 'instructions', done: true };
      case 'handoff':
        lastShown = p.secret.reveal();
        return { type: 'handoff', action: 'recorded' };
      case 'choose': {
        const keep = p.options.find((o) => o.value === 'continue' || o.value === 'cancel');
        return { type: 'choose', value: keep?.value ?? 'abort' };
      }
      case 'secret': {
        if (p.label.startsWith('last '))
          return { type: 'secret', value: new Secret(lastShown.slice(-6)) };
        const shares = vault.cluster.shares;
        const i = p.label.startsWith('generate-root') ? generateAt++ : unsealAt++;
        return { type: 'secret', value: new Secret(shares[i % shares.length] ?? '') };
      }
      case 'input':
      case 'checklist':
      case 'destructive':
        throw new Error(`unexpected ${p.type} prompt: ${p.message}`);
    }
  });
}

type KillAt =
  | { readonly after: 'step-started' | 'step-succeeded'; readonly stepId: string }
  | { readonly afterCall: keyof VaultPort; readonly nth?: number }
  | { readonly afterAnswers: number; readonly stepId: string };

/** A process that dies at `kill`: from then on nothing reaches the journal, Vault or a person. */
function killable(vault: FakeVault, kill: KillAt) {
  let dead = false;
  let calls = 0;
  const proxy = new Proxy(vault, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        // nodes() is local and synchronous: only calls that go to Vault stop with the process.
        if (dead && prop !== 'nodes') return NEVER;
        const r: unknown = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (!(r instanceof Promise)) return r;
        return r.then((x: unknown) => {
          if ('afterCall' in kill && prop === kill.afterCall && ++calls === (kill.nth ?? 1)) {
            dead = true;
            return NEVER;
          }
          return dead ? NEVER : x;
        });
      };
    },
  });
  const local = new LocalFiles();
  const files: FilesPort = {
    read: (p, sig) => (dead ? NEVER : local.read(p, sig)),
    exists: (p) => (dead ? NEVER : local.exists(p)),
    writeNew: (p, d, sig) => (dead ? NEVER : local.writeNew(p, d, sig)),
  };
  return {
    vault: proxy,
    files,
    isDead: () => dead,
    kill: () => (dead = true),
    journal: (events: RunEvent[]) => ({
      append: (e: RunEvent) => {
        if (dead) return;
        events.push(JSON.parse(JSON.stringify(e)) as RunEvent);
        if ('after' in kill && e.type === kill.after && 'stepId' in e && e.stepId === kill.stepId)
          dead = true;
        if (
          'afterAnswers' in kill &&
          e.type === 'human-answered' &&
          e.stepId === kill.stepId &&
          events.filter((x) => x.type === 'human-answered' && x.stepId === kill.stepId).length ===
            kill.afterAnswers
        )
          dead = true;
      },
    }),
  };
}

function interpreter(
  state: RunState,
  vault: VaultPort,
  human: ScriptedAnswers,
  journal: { append(e: RunEvent): void },
  files: FilesPort,
) {
  return new Interpreter(state, {
    registry: builtinRegistry(),
    ports: { process: new FakeProcess(), clock: instantClock, human, vault, files },
    journal,
    redactor: new Redactor(),
    operator: 'tester',
    clusterName: 'prod',
    outputFlushMs: 1,
  });
}

const metaIn = (dir: string) => ({
  runId: 'r1',
  runbookFile: 'bootstrap-ceremony.yaml',
  runbookSha256: 'x',
  inputs: {
    shares: '',
    threshold: 2,
    dir,
    audit_file: '/tmp/audit.log',
    operator: 'Ann',
    operator_pgp_key: '',
    operator_ttl: '24h',
  },
  dryRun: false,
});

/** Runs a process until its kill: it either finishes first (a bug in the test) or goes quiet. */
async function untilKilled(
  done: Promise<RunResult>,
  k: ReturnType<typeof killable>,
  events: RunEvent[],
): Promise<void> {
  const r = await Promise.race([
    done,
    (async () => {
      while (!k.isDead()) await new Promise((res) => setTimeout(res, 1));
      await new Promise((res) => setTimeout(res, 20));
      return 'killed' as const;
    })(),
  ]);
  if (r !== 'killed' && !k.isDead())
    throw new Error(
      `the process ended before the kill: ${JSON.stringify(r)} ${failure(events)} ${JSON.stringify(events.filter((e) => e.type === 'step-failed' || e.type === 'precondition-checked'))}`,
    );
}

/**
 * Runs the ceremony until the first kill, resumes it from the journal alone until each further
 * kill, and resumes it a last time to its end.
 */
async function killAndResume(
  kill: KillAt,
  ...again: KillAt[]
): Promise<{
  vault: FakeVault;
  events: RunEvent[];
  resumed?: RunResult;
  human: ScriptedAnswers;
}> {
  const vault = new FakeVault();
  const events: RunEvent[] = [];
  const meta = metaIn(join(mkdtempSync(join(tmpdir(), 'ceremony-')), 'ceremony'));
  const k = killable(vault, kill);
  const first = interpreter(
    initialState(runbook, meta, profile),
    k.vault,
    room(vault),
    k.journal(events),
    k.files,
  );
  await untilKilled(first.start(runbook.title), k, events);
  const fromJournal = (): RunState =>
    replay(
      events.map((event) => ({ event, time: '2026-01-01T00:00:00Z' })),
      () => initialState(runbook, meta, profile),
    );
  for (const next of again) {
    const k2 = killable(vault, next);
    const p = interpreter(fromJournal(), k2.vault, room(vault), k2.journal(events), k2.files);
    await untilKilled(p.resume(), k2, events);
  }
  const human = room(vault);
  const last = interpreter(
    fromJournal(),
    vault,
    human,
    { append: (e) => events.push(JSON.parse(JSON.stringify(e)) as RunEvent) },
    new LocalFiles(),
  );
  const resumed = await last.resume();
  return { vault, events, resumed, human };
}

function failure(events: RunEvent[]): string {
  const f = [...events].reverse().find((e) => e.type === 'run-finished');
  return f?.type === 'run-finished' && f.outcome.kind === 'failed' ? f.outcome.error : '';
}

/** Done: audited, an operator token, and no root token alive (the lost one included). */
function expectFinished(
  vault: FakeVault,
  events: RunEvent[],
  resumed: RunResult | undefined,
): void {
  expect(resumed, failure(events)).toMatchObject({ kind: 'finished', exitCode: 0 });
  expect([...vault.cluster.audit.keys()]).toEqual(['file']);
  const alive = [...vault.cluster.tokens.values()].filter((t) => !t.revoked);
  expect(alive.map((t) => t.policies)).toEqual([['default', 'operators']]);
}

describe('the bootstrap ceremony killed and resumed', () => {
  for (const stepId of ['plan', 'confirm-plan', 'init'])
    it(`Given a kill when step ${stepId} has started (before it did anything), When resumed, Then the ceremony ends done`, async () => {
      const { vault, events, resumed } = await killAndResume({ after: 'step-started', stepId });
      expectFinished(vault, events, resumed);
    });

  it('Given a kill right after sys/init answered (shares never shown), When resumed, Then it fails saying nobody has a share: wipe the storage and start again', async () => {
    const { vault, events, resumed } = await killAndResume({ afterCall: 'init' });
    expect(resumed).toMatchObject({ kind: 'finished', exitCode: 1 });
    expect(vault.cluster.initialized).toBe(true);
    expect(failure(events)).toMatch(/already initialized/);
    expect(JSON.stringify(events)).toMatch(/wipe its storage/);
  });

  it('Given a kill after the init was journaled, before any handoff, When resumed, Then it fails saying the shares are lost and the storage must be wiped', async () => {
    const { events, resumed } = await killAndResume({ after: 'step-succeeded', stepId: 'init' });
    expect(resumed).toMatchObject({ kind: 'finished', exitCode: 1 });
    expect(failure(events)).toMatch(
      /initialized but no share was handed out .* can never be unsealed: wipe the storage/,
    );
  });

  it('Given a kill during the handoff after one keyholder of the 2 needed received a share, When resumed, Then it fails saying the cluster can never be unsealed: wipe and start again', async () => {
    // Answers per keyholder: the keyboard ack, "recorded", the proof. The 4th is Ben's ack.
    const { vault, events, resumed } = await killAndResume({
      afterAnswers: 4,
      stepId: 'distribute',
    });
    expect(resumed).toMatchObject({ kind: 'finished', exitCode: 1 });
    expect(vault.cluster.initialized).toBe(true);
    expect(failure(events)).toMatch(
      /only 1 of the 2 shares needed to unseal were handed out .*Ann \(share 1\).* can never be unsealed: wipe the storage/,
    );
  });

  it('Given a kill during the handoff after 2 keyholders received shares and 2 unseal, When resumed, Then the ceremony goes on with them and ends done, naming the lost share', async () => {
    const { vault, events, resumed } = await killAndResume({
      afterAnswers: 7,
      stepId: 'distribute',
    });
    expectFinished(vault, events, resumed);
    expect(JSON.stringify(events)).toMatch(/Cat \(share 3\) never received a share, which is lost/);
    expect(
      events.find((e) => e.type === 'step-succeeded' && e.stepId === 'distribute'),
    ).toMatchObject({
      outputs: { holders: [{ name: 'Ann' }, { name: 'Ben' }], lost: [{ name: 'Cat' }] },
    });
  });

  for (const stepId of [
    'distribute',
    'unseal',
    'wait',
    'root-accessor',
    'audit',
    'operator',
    'revoke-root',
  ])
    for (const after of ['step-started', 'step-succeeded'] as const)
      if (!(stepId === 'distribute' && after === 'step-started'))
        it(`Given a kill at ${after} of ${stepId} (the root token lost), When resumed, Then the keyholders make a new root token, the ceremony finishes, and both root tokens are revoked`, async () => {
          const { vault, events, resumed, human } = await killAndResume({ after, stepId });
          expectFinished(vault, events, resumed);
          if (stepId === 'revoke-root' && after === 'step-succeeded') return;
          const recovered = events.filter(
            (e) => e.type === 'step-succeeded' && e.stepId === 'recover-root',
          );
          expect(recovered).toHaveLength(1);
          expect(human.asked.some((a) => a.stepId === 'recover-root')).toBe(true);
          const nonce = human.asked.find(
            (a) => a.stepId === 'recover-root' && a.prompt.type === 'secret',
          );
          expect(nonce?.prompt.message).toMatch(/nonce:\n {2}\S+/);
        });

  it('Given a kill after the handoffs and a second kill during the audit, after the new root token was made, When resumed twice, Then the keyholders make a root token again and both lost ones are revoked', async () => {
    const { vault, events, resumed } = await killAndResume(
      { after: 'step-succeeded', stepId: 'distribute' },
      { after: 'step-started', stepId: 'audit' },
    );
    expectFinished(vault, events, resumed);
    const made = events.filter((e) => e.type === 'step-succeeded' && e.stepId === 'recover-root');
    expect(made).toHaveLength(2);
    const revoke = events.find((e) => e.type === 'step-succeeded' && e.stepId === 'revoke-root');
    expect(revoke).toMatchObject({
      outputs: { lost_roots_revoked: [{ source: 'found' }, { source: 'found' }] },
    });
  });

  it('Given a second kill in the middle of the generate-root attempt, When resumed again, Then the half-done attempt is shown with its nonce and cancelled, a new one made, and the ceremony ends done', async () => {
    const { vault, events, resumed, human } = await killAndResume(
      { after: 'step-succeeded', stepId: 'unseal' },
      // Vault took the first generate-root share; then the process died.
      { afterCall: 'generateRootUpdate' },
    );
    expectFinished(vault, events, resumed);
    const stale = human.asked.find((a) => a.prompt.type === 'choose');
    expect(stale?.prompt.message).toMatch(
      /generate-root attempt is already in progress .*nonce \S+, 1\/2/,
    );
  });

  it('Given the ceremony interrupted after the handoffs and recovered, When the journal transcript is printed, Then it tells the init, handoffs, interruption, generate-root entries and both revocations', async () => {
    const { events } = await killAndResume({ after: 'step-succeeded', stepId: 'distribute' });
    const lines = events.map((event, i) => ({
      line: i + 1,
      record: { event, time: `T${String(i).padStart(3, '0')}`, seq: i, hash: '', prev: '' },
    }));
    const text = ceremonySummary(lines as never).join('\n');
    expect(text).toMatch(/node-1 initialized: 3 shares, any 2 unseal/);
    expect(text).toMatch(/share 2 shown to Ben, who proved they recorded it/);
    expect(text).toMatch(/the process was interrupted after step distribute; resumed by tester/);
    expect(text).toMatch(/generate-root share 1 typed at tester's terminal/);
    expect(text).toMatch(/generate-root share 2 typed at tester's terminal/);
    expect(text).toMatch(
      /new root token made by the keyholders \(generate-root nonce \S+, accessor \S+\)/,
    );
    expect(text).toMatch(/lost root token \S+ revoked \(found; lookup-accessor refused\)/);
    expect(text).toMatch(/root token made by the recovery revoked \(accessor \S+\)/);
    for (const s of vault0(events)) expect(text).not.toContain(s);
  });
});

function vault0(events: RunEvent[]): string[] {
  // Nothing that looks like a token or a share in the journal at all.
  return JSON.stringify(events).match(/hvs\.[A-Za-z0-9]+/g) ?? [];
}

describe('a ceremony started again on an initialized cluster', () => {
  const check = async (runs: PastRun[]): Promise<Record<string, unknown>> => {
    const vault = FakeVault.sealedWith(['aa', 'bb', 'cc'], 2);
    const ctx = {
      runId: 'r2',
      stepId: 'precondition-2',
      attempt: 1,
      input: {},
      signal: AbortSignal.timeout(5000),
      ports: {
        process: new FakeProcess(),
        clock: instantClock,
        human: room(vault),
        vault,
        journals: { runs: () => runs },
      },
      profile,
      clusterName: 'prod',
      operator: 'tester',
      log: () => undefined,
      ask: () => Promise.reject(new Error('no prompt in a precondition')),
      registerSecret: () => undefined,
      recordProcess: () => undefined,
    };
    return uninitializedCheck.run(ctx as never);
  };
  const run = (status: string, succeeded: string[], profileName = 'prod'): PastRun => ({
    runId: `bootstrap-ceremony-20260101T000000-abc123`,
    runbookId: 'bootstrap-ceremony',
    profileName,
    status,
    succeeded,
  });

  it('Given the journal of an interrupted ceremony that handed out its shares, When the precondition fails, Then it names the state and the run to resume', async () => {
    const r = await check([run('interrupted', ['plan', 'confirm-plan', 'init', 'distribute'])]);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(
      /already initialized: node-1 sealed \(0\/2 unseal shares entered\)\. It was initialized by the bootstrap ceremony run bootstrap-ceremony-20260101T000000-abc123, which is interrupted after its shares were handed out: finish THAT run with vault-runbook resume bootstrap-ceremony-20260101T000000-abc123/,
    );
  });

  it('Given a finished ceremony in the journals, When started again, Then it says no ceremony is needed and names unseal and generate-root', async () => {
    const r = await check([run('succeeded', ['init', 'distribute', 'revoke-root'])]);
    expect(r.detail).toMatch(/finished on it: no ceremony is needed\. Unseal .*generate-root/);
  });

  it('Given no journal of this cluster (another profile, or another machine), When started again, Then the general advice names resume, wipe and generate-root', async () => {
    const r = await check([run('interrupted', ['init'], 'staging')]);
    expect(r.detail).toMatch(
      /finish THAT run: vault-runbook resume <run-id>.*wipe the storage.*generate-root/,
    );
  });
});
