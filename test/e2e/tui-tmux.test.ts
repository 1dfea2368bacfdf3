import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTmux, Tmux } from '../support/tmux.js';

/**
 * The TUI in a real terminal: tmux gives the CLI a TTY on stdin and stdout, so it takes the
 * interactive path, and capture-pane shows what a person would see.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'vault-runbook.js');
// A private tmux server: the tests never touch a developer's own sessions.
const tmux = new Tmux(`vr-e2e-${process.pid}`);

const DRILL = `id: tmux-drill
title: tmux drill
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
        - { value: a, label: Flavour A }
        - { value: b, label: Flavour B }
  - id: share
    title: Enter the share
    uses: human.secret
    with: { message: Type the unseal share, label: share }
  - id: report
    title: Report the choice
    run: echo chosen=\${{ steps.pick.outputs.value }}
`;

const SLOW = `id: tmux-slow
title: Slow drill
steps:
  - id: nap
    title: Take a long nap
    run: |
      echo napping-now
      sleep 30
`;

let tmp: string;
let counter = 0;

/**
 * Starts the CLI in a fresh 120×40 pane; the shell reports the exit code and keeps the pane.
 * `args` defaults to running the given runbook; `stateOf` shares another launch's state dir.
 */
function launch(
  runbook: string,
  opts: { env?: Record<string, string>; args?: string[]; stateOf?: string } = {},
): string {
  const name = `vr-${process.pid}-${++counter}`;
  const dir = join(tmp, opts.stateOf ?? name);
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, runbook);
  const env = Object.entries({
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    ...opts.env,
  })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const args = (opts.args ?? ['run', file]).join(' ');
  const cmd = `env -u CI -u VAULT_RUNBOOK_PROFILE ${env} ${process.execPath} ${BIN} ${args}; echo "EXIT=$?"; sleep 120`;
  tmux.start(name, cmd, 120, 40);
  return name;
}

/** The CLI's node process: the pane's shell runs `env … node …`, and env execs node. */
function cliPid(name: string): number {
  const shell = tmux.run('list-panes', '-t', name, '-F', '#{pane_pid}').trim();
  const child = execFileSync('ps', ['-o', 'pid=', '--ppid', shell], { encoding: 'utf8' }).trim();
  return Number(child.split('\n')[0]);
}

function capture(name: string, escapes = false): string {
  return tmux.run('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name);
}

function waitFor(name: string, text: string, timeoutMs = 15_000, seen?: string[]): Promise<string> {
  return tmux.waitFor(name, text, timeoutMs, seen);
}

function keys(name: string, ...k: string[]): void {
  tmux.keys(name, ...k);
}

function journalFile(name: string): string {
  const runs = join(tmp, name, 'state', 'vault-runbook', 'runs');
  const files = readdirSync(runs).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  return join(runs, files[0]!);
}

function journalOf(name: string): string {
  return readFileSync(journalFile(name), 'utf8');
}

describe.skipIf(!hasTmux)('TUI in a real terminal (tmux)', () => {
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'vr-tmux-'));
    // The CLI runs from its bundle in dist/bundle/: bundle the current sources (what `npm run
    // build` does after tsc; the bundler does not type-check, so another part of the tree with
    // a type error does not stop this test).
    const bundled = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (bundled.status !== 0 || !existsSync(join(ROOT, 'dist', 'bundle', 'main.js')))
      throw new Error(`the bundle was not built: ${bundled.stderr}`);
  });

  afterAll(() => {
    tmux.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('Given a runbook file, When the operator confirms, chooses and types a secret, Then the screen shows success and the secret never appears', async () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
    const screens: string[] = [];
    const name = launch(DRILL);

    let screen = await waitFor(name, 'Ready to go on?', 15_000, screens);
    expect(screen).toContain('✓ Say hello');
    expect(screen).toContain('hello-from-shell');
    expect(screen).toContain('y yes · n no');
    keys(name, 'y');

    screen = await waitFor(name, 'Which flavour?', 15_000, screens);
    expect(screen).toContain('› Flavour A');
    keys(name, 'Down');
    await waitFor(name, '› Flavour B', 5000, screens);
    keys(name, 'Enter');

    await waitFor(name, 'Type the unseal share', 15_000, screens);
    for (const ch of secret) keys(name, '-l', ch);
    await waitFor(name, '•'.repeat(secret.length), 5000, screens);
    keys(name, 'Enter');

    screen = await waitFor(name, 'Run succeeded', 15_000, screens);
    for (const title of [
      'Say hello',
      'Confirm you are ready',
      'Pick a flavour',
      'Enter the share',
      'Report the choice',
    ])
      expect(screen).toContain(`✓ ${title}`);
    expect(screen).toContain('chosen=b');
    expect(screen).toContain('exit code 0');

    keys(name, 'q');
    await waitFor(name, 'EXIT=0', 10_000, screens);
    expect(screens.join('\n')).not.toContain(secret);
    expect(journalOf(name)).not.toContain(secret);
  });

  it('Given a long step under NO_COLOR, When the operator presses Ctrl-C and y, Then the run ends aborted with exit code 3 and no colour codes', async () => {
    const name = launch(SLOW, { env: { NO_COLOR: '1' } });
    await waitFor(name, 'napping-now');
    keys(name, 'C-c');
    await waitFor(name, 'Abort run? y/N');
    keys(name, 'y');
    const screen = await waitFor(name, 'Run aborted', 8000);
    expect(screen).toContain('✗ Take a long nap');
    // eslint-disable-next-line no-control-regex
    expect(capture(name, true)).not.toMatch(/\u001B\[(3[0-7]|9[0-7]|38;)/);
    keys(name, 'q');
    await waitFor(name, 'EXIT=3');
    expect(journalOf(name)).toContain('"abort-requested"');
  });

  it('Given a run killed while a person is asked, When it is resumed in the TUI, Then the question comes back and the run finishes', async () => {
    const first = launch(`id: tmux-resume
title: Resumable drill
steps:
  - { id: one, title: Step one, run: echo one-done }
  - { id: ask, title: Confirm, uses: human.confirm, with: { message: Go on after resume? } }
  - { id: two, title: Step two, run: echo two-done }
`);
    await waitFor(first, 'Go on after resume?');
    process.kill(cliPid(first), 'SIGKILL');
    await waitFor(first, 'EXIT=137');
    const runId = basename(journalFile(first), '.jsonl');

    const second = launch('', { args: ['resume', runId], stateOf: first });
    const screen = await waitFor(second, 'Go on after resume?');
    expect(screen).toContain('✓ Step one');
    keys(second, 'y');
    expect(await waitFor(second, 'Run succeeded')).toContain('two-done');
    keys(second, 'q');
    await waitFor(second, 'EXIT=0');
  });
});
