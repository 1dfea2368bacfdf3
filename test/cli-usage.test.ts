import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type StdioOptions } from 'node:child_process';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { allFiles, BIN, cli, ROOT, tempState } from './support/cli.js';

/**
 * Every bad command-line input is a usage error: exit 2, one line naming the problem (and a
 * hint), no stack trace — and it is found before a run (a journal) exists.
 */

const ANSWERS = 'ready: yes\nscenario: sealed\ndebrief: all\n';

function runsIn(env: NodeJS.ProcessEnv): string[] {
  const dir = join(env.XDG_STATE_HOME ?? '', 'vault-runbook', 'runs');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function expectUsage(r: { exitCode?: number | null; stderr: unknown }, text: string): void {
  const err = String(r.stderr);
  expect(r.exitCode, err).toBe(2);
  const first = err.split('\n')[0] ?? '';
  expect(first).toMatch(/^vault-runbook: /);
  expect(first).toContain(text);
  expect(err).not.toMatch(/\n\s+at /); // no stack trace
  expect(err).not.toContain('unexpected error');
}

/** The CLI with exactly the stdio it is given (as npx gives only 0-2); fd 3 may be an open fd. */
function cliWithStdio(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
  fd3Input?: string,
): Promise<{ exitCode: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio });
  if (fd3Input !== undefined) (child.stdio[3] as NodeJS.WritableStream).end(fd3Input);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout?.resume();
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ exitCode, stderr })));
}

function practice(dir: string): string[] {
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, ANSWERS);
  return ['run', 'practice', '--headless', '--answers', answers];
}

describe('--secrets-fd is checked before anything else', () => {
  it('Given fds 3 to 8 that were not passed (as under npx), When each is named, Then each is a usage error and no run is created', async () => {
    const { dir, env } = tempState();
    for (const fd of [3, 4, 5, 6, 7, 8]) {
      const r = await cliWithStdio([...practice(dir), '--secrets-fd', String(fd)], env, [
        'ignore',
        'pipe',
        'pipe',
      ]);
      expectUsage(r, `--secrets-fd ${fd}`);
    }
    expect(runsIn(env)).toEqual([]);
  });

  it('Given vault-runbook started through npx with a file on fd 3, When --secrets-fd 3, Then a usage error says npx passes only fds 0-2', async () => {
    const { dir, env } = tempState();
    const shares = join(dir, 'shares.txt');
    writeFileSync(shares, 'practice-share\n');
    const fd = openSync(shares, 'r');
    try {
      // npx (npm exec) runs the package's bin with stdio 0-2 only: fd 3 never arrives.
      const child = spawn('npx', ['vault-runbook', ...practice(dir), '--secrets-fd', '3'], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe', fd],
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.stdout?.resume();
      const exitCode = await new Promise<number | null>((r) => child.on('close', r));
      expectUsage({ exitCode, stderr }, '--secrets-fd 3');
      expect(stderr).toContain('npx passes only fds 0-2');
    } finally {
      closeSync(fd);
    }
    expect(runsIn(env)).toEqual([]);
  });

  it('Given an fd number that is not open at all, When named, Then usage error "not open"', async () => {
    const { dir, env } = tempState();
    const r = await cli([...practice(dir), '--secrets-fd', '97'], env);
    expectUsage(r, 'file descriptor 97 is not open');
    expect(runsIn(env)).toEqual([]);
  });

  it('Given fd 3 open for writing only, When named, Then usage error "not reading"', async () => {
    const { dir, env } = tempState();
    const fd = openSync(join(dir, 'out.txt'), 'w');
    try {
      const r = await cliWithStdio([...practice(dir), '--secrets-fd', '3'], env, [
        'ignore',
        'pipe',
        'pipe',
        fd,
      ]);
      expectUsage(r, 'open for writing only');
    } finally {
      closeSync(fd);
    }
    expect(runsIn(env)).toEqual([]);
  });

  it('Given fd 3 is a directory, When named, Then usage error "is a directory"', async () => {
    const { dir, env } = tempState();
    const fd = openSync(dir, 'r');
    try {
      const r = await cliWithStdio([...practice(dir), '--secrets-fd', '3'], env, [
        'ignore',
        'pipe',
        'pipe',
        fd,
      ]);
      expectUsage(r, 'fd 3 is a directory');
    } finally {
      closeSync(fd);
    }
    expect(runsIn(env)).toEqual([]);
  });

  it('Given --secrets-fd 0 on a terminal, When run headless, Then usage error: typed shares would echo', async () => {
    const { dir, env } = tempState();
    // script(1) gives the CLI a pseudo-terminal on stdin, like an operator's shell.
    const cmd = [process.execPath, BIN, ...practice(dir), '--secrets-fd', '0']
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const r = await execa('script', ['-qec', cmd, '/dev/null'], {
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    expect(r.exitCode, String(r.stdout)).toBe(2);
    expect(String(r.stdout)).toContain('--secrets-fd 0 is a terminal');
    expect(runsIn(env)).toEqual([]);
  });

  it('Given a pipe on fd 3 from the caller, When named, Then the run reads its secret and succeeds', async () => {
    const { dir, env } = tempState();
    const r = await cliWithStdio(
      [...practice(dir), '--secrets-fd', '3'],
      env,
      ['ignore', 'pipe', 'pipe', 'pipe'],
      'practice-share\n',
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
  });
});

describe('a line on --secrets-fd past the cap', () => {
  it('Given a line of 70,000 bytes on fd 3, When the run asks for its secret, Then a one-line usage error (exit 2) names the cap and the line is in no output or file', async () => {
    const { dir, env } = tempState();
    const line = `${'k'.repeat(69_990)}-tail-mark`;
    const child = spawn(process.execPath, [BIN, ...practice(dir), '--secrets-fd', '3'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const fd3 = child.stdio[3] as NodeJS.WritableStream;
    fd3.on('error', () => undefined); // it stops reading at the cap
    fd3.end(`${line}\n`);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exitCode = await new Promise<number | null>((r) => child.on('close', r));
    expectUsage({ exitCode, stderr }, '--secrets-fd 3: a line is longer than 65536 bytes');
    expect(stderr.split('\n').filter((l) => l.startsWith('vault-runbook:'))).toHaveLength(1);
    expect(`${stdout}${stderr}`).not.toContain('tail-mark');
    expect(`${stdout}${stderr}`).not.toContain('k'.repeat(64));
    for (const f of allFiles(dir)) expect(f.text, f.path).not.toContain('k'.repeat(64));
  });
});

describe('a directory where a file is expected', () => {
  it('Given a directory as the runbook, When run, Then one-line usage error, not EISDIR', async () => {
    const { dir, env } = tempState();
    const rb = join(dir, 'book.yaml');
    mkdirSync(rb);
    expectUsage(await cli(['run', rb], env), `${rb} is a directory`);
    expect(runsIn(env)).toEqual([]);
  });

  it('Given a directory as the profile, When run, Then one-line usage error', async () => {
    const { dir, env } = tempState();
    const r = await cli(['run', 'practice', '--profile', dir], env);
    expectUsage(r, `${dir} is a directory`);
  });

  it('Given a directory as the answers file, When run, Then one-line usage error', async () => {
    const { dir, env } = tempState();
    const r = await cli(['run', 'practice', '--answers', dir], env);
    expectUsage(r, `--answers: ${dir} is a directory`);
    expect(runsIn(env)).toEqual([]);
  });
});

describe('a file that never ends', () => {
  it('Given /dev/zero as the answers file, When run, Then one-line usage error instead of reading until memory runs out', async () => {
    const { env } = tempState();
    const r = await cli(['run', 'practice', '--answers', '/dev/zero'], env);
    expectUsage(r, '--answers: /dev/zero is larger than 4 MiB');
    expect(runsIn(env)).toEqual([]);
  });
});

describe('answers are checked against the runbook before the first step', () => {
  const cases: [string, string, string][] = [
    ['a word that is not yes or no for a confirm', 'ready: maybe\n', 'ready: must be yes or no'],
    [
      'an unknown choice value',
      'ready: yes\nscenario: volcano\n',
      "'volcano' is not one of sealed, failover",
    ],
    ['a step that does not exist', 'redy: yes\n', "'redy' is not a step of 'practice'"],
    ['a list for a confirm', 'ready: [a, b]\n', 'ready: must be yes or no'],
    [
      'an item not on the checklist',
      'debrief: [I did my homework]\n',
      'no such item(s): I did my homework',
    ],
    ['a secret in the answers file', 'share: hunter2\n', 'a secret is never read from --answers'],
  ];
  for (const [what, yaml, message] of cases)
    it(`Given ${what}, When run headless, Then usage error before any step runs`, async () => {
      const { dir, env } = tempState();
      const answers = join(dir, 'answers.yaml');
      writeFileSync(answers, yaml);
      const r = await cli(['run', 'practice', '--answers', answers], env);
      expectUsage(r, message);
      expect(runsIn(env)).toEqual([]);
    });

  it('Given a destructive step answered with another name than the cluster, When run, Then usage error and the step before it never ran', async () => {
    const { dir, env } = tempState();
    const marker = join(dir, 'first-ran');
    const rb = join(dir, 'wipe.yaml');
    writeFileSync(
      rb,
      'id: wipe\ntitle: Wipe\nsteps:\n  - id: first\n    run: touch "$MARKER"\n  - id: wipe\n    destructive: true\n    run: echo wiped\n',
    );
    const answers = join(dir, 'answers.yaml');
    writeFileSync(answers, 'wipe: production\n');
    const r = await cli(['run', rb, '--answers', answers], { ...env, MARKER: marker });
    expectUsage(r, "wipe: a destructive step is confirmed by the cluster name 'wipe'");
    expect(existsSync(marker)).toBe(false);
    expect(runsIn(env)).toEqual([]);
  });
});

describe('status --interval', () => {
  for (const bad of ['abc', '0', '-1', '0.05', ''])
    it(`Given --interval '${bad}', When status --watch starts, Then usage error, never a busy loop`, async () => {
      const { env } = tempState();
      const r = await cli(['status', '--watch', '--interval', bad], env, { cwd: ROOT });
      expectUsage(r, `--interval needs a number of seconds`);
    });
});

describe('command-line parse errors', () => {
  it('Given a missing argument, an unknown verb or option, or an extra argument, When run, Then each is one usage line and a pointer to the help, not the whole help', async () => {
    const { env } = tempState();
    const cases: [string[], string, string][] = [
      [['run'], "missing required argument 'runbook'", 'vault-runbook run --help'],
      [['bogus'], "unknown command 'bogus'", 'vault-runbook --help'],
      [['run', '--nope', 'x'], "unknown option '--nope'", 'vault-runbook run --help'],
      [
        ['sandbox', 'fault'],
        "missing required argument 'kind'",
        'vault-runbook sandbox fault --help',
      ],
      [['list', 'extra'], "too many arguments for 'list'", 'vault-runbook list --help'],
    ];
    for (const [args, text, help] of cases) {
      const r = await cli(args, env);
      expectUsage(r, text);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toEqual([
        expect.stringContaining(text),
        `  → ${help}`,
      ]);
    }
  });
});
