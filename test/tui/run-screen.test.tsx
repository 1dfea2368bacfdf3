import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, type RunSession } from '../../src/app/session.js';
import type { RunResult } from '../../src/engine/interpreter.js';
import { App } from '../../src/ui/App.js';
import { UiController } from '../../src/ui/controller.js';
import { humanActionIds } from '../../src/app/registry.js';
import { KEY, press, renderTerm, type, waitForFrame, type Term } from './helpers.js';

const DRILL = `id: tui-drill
title: TUI drill
description: Every kind of step the run screen shows.
steps:
  - id: hello
    title: Say hello
    run: echo hello-from-shell
  - id: ready
    title: Confirm you are ready
    uses: human.confirm
    with: { message: Ready to go on? }
  - id: pick
    title: Pick a flavour
    uses: human.choose
    with:
      message: Which flavour?
      options:
        - { value: a, label: Flavour A, description: the first one }
        - { value: b, label: Flavour B, description: the second one }
  - id: share
    title: Enter the share
    uses: human.secret
    with: { message: Type the unseal share, label: share }
  - id: report
    title: Report the choice
    run: echo chosen=\${{ steps.pick.outputs.value }} length=\${{ steps.share.outputs.length }}
`;

const SLOW = `id: tui-slow
title: Slow drill
steps:
  - id: nap
    title: Take a long nap
    run: |
      echo napping-now
      sleep 30
  - id: after
    title: Never reached
    run: echo too-late
`;

interface Harness {
  readonly term: Term;
  readonly controller: UiController;
  readonly sessions: RunSession[];
  readonly done: Promise<RunResult | undefined>;
  readonly quit: Promise<RunResult | undefined>;
}

let tmp: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'vr-tui-'));
  env = {
    ...process.env,
    XDG_STATE_HOME: join(tmp, 'state'),
    XDG_CONFIG_HOME: join(tmp, 'config'),
  };
  delete env.VAULT_RUNBOOK_PROFILE;
  delete env.VAULT_RUNBOOK_PATH;
});

afterEach(() => {
  cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

function start(yaml: string, dryRun = false): Harness {
  const file = join(tmp, 'runbook.yaml');
  writeFileSync(file, yaml);
  const sessions: RunSession[] = [];
  let onQuit: (r?: RunResult) => void = () => undefined;
  const quit = new Promise<RunResult | undefined>((resolve) => (onQuit = resolve));
  const controller = new UiController({
    runbooks: [],
    open: (id, ui) => {
      const s = createRun(
        { runbookRef: id, dryRun },
        { human: ui.human, observers: [ui.observer], env },
      );
      sessions.push(s);
      return s;
    },
    humanActionIds: humanActionIds(),
    onQuit: (r) => onQuit(r),
  });
  const term = renderTerm(<App store={controller.store} />);
  const done = controller.startRun(file);
  return { term, controller, sessions, done, quit };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('run screen', () => {
  it('Given a drill with shell, confirm, choose and secret steps, When the operator answers each prompt, Then every step ends ✓ and the derived output is shown', async () => {
    const secret = randomBytes(24).toString('base64url'); // 32 characters, never shown
    const { term, sessions, done } = start(DRILL);
    const { stdin, frames } = term;

    let frame = await waitForFrame(term, 'Ready to go on?');
    expect(frame).toContain('✓ Say hello');
    expect(frame).toContain('hello-from-shell');
    expect(frame).toContain('⏸ Confirm you are ready');
    expect(frame).toContain('○ Pick a flavour');
    expect(frame).toContain('y yes');

    await press(stdin, 'y');
    frame = await waitForFrame(term, 'Which flavour?');
    expect(frame).toContain('✓ Confirm you are ready');
    expect(frame).toContain('› Flavour A');
    expect(frame).toContain('the first one');

    frame = await press(stdin, KEY.down);
    expect(frame).toContain('› Flavour B');
    expect(frame).toContain('the second one');
    await press(stdin, KEY.enter);

    frame = await waitForFrame(term, 'Type the unseal share');
    expect(frame).toContain('⏸ Enter the share');
    frame = await type(stdin, secret);
    expect(frame).toContain('•'.repeat(secret.length));
    frame = await press(stdin, KEY.backspace);
    expect(frame).toContain(`› ${'•'.repeat(secret.length - 1)}`);
    await press(stdin, secret.slice(-1));
    await press(stdin, KEY.enter);

    frame = await waitForFrame(term, 'Run succeeded');
    for (const title of [
      'Say hello',
      'Confirm you are ready',
      'Pick a flavour',
      'Enter the share',
      'Report the choice',
    ])
      expect(frame).toContain(`✓ ${title}`);
    expect(frame).toContain(`chosen=b length=${secret.length}`);
    const result = await done;
    expect(result?.exitCode).toBe(0);
    const session = sessions[0]!;
    expect(frame).toContain(`run id ${session.runId}`);
    expect(frame).toContain('enter/h home');

    const journal = readFileSync(session.journalPath!, 'utf8');
    expect(journal).toContain('hello-from-shell');
    expect(journal).not.toContain(secret);
    // The end screen shows the hash of the journal's final record, which seals the run.
    const last = JSON.parse(journal.trim().split('\n').at(-1)!) as {
      hash: string;
      event: { type: string };
    };
    expect(last.event.type).toBe('run-finished');
    expect(frame.replace(/[\s│║]/g, '')).toContain(`journalfinalhash${last.hash}`);
    expect(frames.length).toBeGreaterThan(secret.length);
    expect(frames.join('\n')).not.toContain(secret);
  });

  it('Given a long shell step, When the operator presses Ctrl-C and confirms with y, Then the run ends aborted quickly and its process group is gone', async () => {
    const { term, sessions, done } = start(SLOW);
    await waitForFrame(term, 'napping-now');
    const step = sessions[0]!.interpreter.state.steps.nap;
    const pid = step?.kind === 'running' ? step.pid : undefined;
    expect(pid).toBeTypeOf('number');
    expect(groupAlive(pid!)).toBe(true);

    let frame = await press(term.stdin, KEY.ctrlC);
    expect(frame).toContain('Abort run? y/N');
    expect(frame).toContain('▶ Take a long nap');

    const t0 = Date.now();
    await press(term.stdin, 'y');
    frame = await waitForFrame(term, 'Run aborted');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(frame).toContain('✗ Take a long nap');
    expect(frame).toContain('○ Never reached');
    expect(frame).not.toContain('Abort run? y/N');
    expect((await done)?.exitCode).toBe(3);
    // The run ends on the abort without waiting for the group (interpreter.ts races the action
    // with the abort); its members are signalled at once and reaped a moment later, so this
    // waits for that — up to ExecaProcess's SIGKILL grace — instead of sampling one instant.
    const until = Date.now() + 5000;
    while (groupAlive(pid!) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(groupAlive(pid!)).toBe(false);
    expect(readFileSync(sessions[0]!.journalPath!, 'utf8')).toContain('"abort-requested"');
  });

  it('Given the abort overlay, When the operator answers n, Then the run goes on', async () => {
    const { term, controller } = start(SLOW);
    await waitForFrame(term, 'napping-now');
    expect(await press(term.stdin, KEY.ctrlC)).toContain('Abort run? y/N');
    const frame = await press(term.stdin, 'n');
    expect(frame).not.toContain('Abort run?');
    expect(frame).toContain('▶ Take a long nap');
    expect(controller.store.getState().run?.result).toBeUndefined();
    controller.store.getState().actions.confirmAbort();
    await waitForFrame(term, 'Run aborted');
  });

  it('Given a running step, When the operator presses ?, Then a help overlay lists every binding, and ? closes it', async () => {
    const { term, controller } = start(SLOW);
    await waitForFrame(term, 'napping-now');
    let frame = await press(term.stdin, '?');
    expect(frame).toContain('Keys');
    for (const label of [
      'abort run',
      'move up',
      'move down',
      'tick',
      'quit',
      'close help',
      'keep running',
    ])
      expect(frame).toContain(label);
    expect(frame).not.toContain('napping-now');
    frame = await press(term.stdin, '?');
    expect(frame).not.toContain('close help');
    expect(frame).toContain('napping-now');
    controller.store.getState().actions.confirmAbort();
    await waitForFrame(term, 'Run aborted');
  });

  it('Given a finished run, When the operator presses q, Then the controller quits with the run result', async () => {
    const { term, quit } = start(`id: one
title: One step
steps:
  - { id: only, title: Only step, run: echo only }
`);
    await waitForFrame(term, 'Run succeeded');
    term.stdin.write('q');
    expect((await quit)?.exitCode).toBe(0);
  });

  it('Given a finished run that used no operator token, When the end screen shows, Then it gives the final hash and says it was not written to Vault’s audit log', async () => {
    const { term, sessions } = start(`id: one
title: One step
steps:
  - { id: only, title: Only step, run: echo only }
`);
    const frame = await waitForFrame(term, 'no operator token in this run');
    const head = sessions[0]?.journalHead();
    expect(head?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(frame).toContain(`final hash ${head?.hash ?? ''}`);
    expect(frame).toContain("not written to Vault's audit log: no operator token in this run");
  });

  it('Given a dry run, When it finishes, Then every step is ◇ planned with what it would do, and no journal is written', async () => {
    const { term, done } = start(DRILL, true);
    const frame = await waitForFrame(term, 'Dry run complete');
    expect(frame).toContain('◇ Say hello');
    expect(frame).toContain('└ run `echo hello-from-shell`');
    expect(frame).toContain('◇ Enter the share');
    expect(frame).toContain('no journal (dry run)');
    expect((await done)?.exitCode).toBe(0);
  });
});
