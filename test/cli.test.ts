import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allFiles, cli, cliWithFd3, ROOT, runIdFrom, tempState } from './support/cli.js';

describe('vault-runbook lint', () => {
  it('Given a YAML syntax error, When linted, Then exit 2 with file:line:col at the unclosed quote', async () => {
    const { env } = tempState();
    const r = await cli(['lint', 'test/fixtures/bad-syntax.yaml'], env, { cwd: ROOT });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('test/fixtures/bad-syntax.yaml:5:17 YAML: Missing closing "quote');
  });

  it('Given schema errors, When linted, Then exit 2 and every problem has its own file:line:col', async () => {
    const { env } = tempState();
    const r = await cli(['lint', 'test/fixtures/bad-schema.yaml'], env, { cwd: ROOT });
    expect(r.exitCode).toBe(2);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      "test/fixtures/bad-schema.yaml:3:1 unknown field 'colour'",
      'test/fixtures/bad-schema.yaml:5:5 a step needs exactly one of `uses` (an action) or `run` (a shell command) (at steps[0])',
      'test/fixtures/bad-schema.yaml:8:15 warning: expression: ${{ steps.missing.outputs.value }} in step \'second\' is unquoted: bash splits its value into words and expands wildcards in it; write "${{ steps.missing.outputs.value }}"',
      "test/fixtures/bad-schema.yaml:8:19 expression: unknown step 'missing' in step 'second'",
      "test/fixtures/bad-schema.yaml:9:5 unknown field 'retries' (at steps[1])",
      "test/fixtures/bad-schema.yaml:13:7 unknown input 'colour' for human.confirm in step 'third' (at steps[2].with)",
    ]);
  });

  it('Given the shipped runbooks, When linted, Then they are all valid', async () => {
    const { env } = tempState();
    const r = await cli(['lint'], env, { cwd: ROOT });
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('vault-runbook schema and list', () => {
  it('Given schema runbook, When printed, Then it is JSON Schema naming the step fields', async () => {
    const r = await cli(['schema', 'runbook'], tempState().env);
    const schema = JSON.parse(r.stdout) as {
      properties: { steps: { items: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(schema.properties.steps.items.properties)).toEqual(
      expect.arrayContaining(['uses', 'run', 'if', 'retry', 'on-failure', 'destructive']),
    );
  });
  it('Given an unknown verb, When run, Then exit 2', async () => {
    expect((await cli(['frobnicate'], tempState().env)).exitCode).toBe(2);
  });
});

const KILLABLE = (mark: string, marker: string) => `id: killable
title: Interrupted run
steps:
  - id: one
    run: echo one >> ${mark}
  - id: two
    run: |
      echo two-start >> ${mark}
      sleep ${marker} &
      wait
      echo two-end >> ${mark}
  - id: three
    run: echo three >> ${mark}
`;

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many processes run with exactly this command line. */
function sleepersWith(cmdline: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') ===
        cmdline
      )
        n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
}

describe('vault-runbook resume', () => {
  it('Given a run SIGKILLed in the middle of a shell step, When resumed, Then it finishes without repeating completed steps', async () => {
    const { dir, env } = tempState();
    const mark = join(dir, 'mark.txt');
    const marker = `${30 + Math.floor(Math.random() * 1000) / 1000}`;
    const rb = join(dir, 'killable.yaml');
    writeFileSync(rb, KILLABLE(mark, marker));
    const first = cli(['run', rb], env);
    // The sleeper is started just after the mark is written: wait for it, not only the mark.
    await waitFor(
      () =>
        existsSync(mark) &&
        readFileSync(mark, 'utf8').includes('two-start') &&
        sleepersWith(`sleep ${marker}`) === 1,
    );
    first.kill('SIGKILL');
    const r1 = await first;
    expect(r1.signal).toBe('SIGKILL');
    const runId = runIdFrom(r1.stdout);
    // The interrupted step's child outlived the tool: resume must find and stop it.
    expect(sleepersWith(`sleep ${marker}`)).toBe(1);
    writeFileSync(rb, KILLABLE(mark, '0.1'));
    const r2 = await cli(['resume', runId, '--force'], env);
    expect(r2.stderr).toBe('');
    expect(r2.exitCode).toBe(0);
    expect(r2.stdout).toContain('stopped process group');
    expect(readFileSync(mark, 'utf8').split('\n').filter(Boolean)).toEqual([
      'one',
      'two-start',
      'two-start',
      'two-end',
      'three',
    ]);
    expect(sleepersWith(`sleep ${marker}`)).toBe(0);
    const verify = await cli(['journal', 'verify', runId], env);
    expect(verify.exitCode).toBe(0);
    // A finished run cannot be resumed again.
    expect((await cli(['resume', runId], env)).exitCode).toBe(2);
  });

  it('Given a run step with a probe that says it is done, When resumed, Then the step is not run again', async () => {
    const { dir, env } = tempState();
    const mark = join(dir, 'mark.txt');
    const rb = join(dir, 'probe.yaml');
    writeFileSync(
      rb,
      `id: probed\ntitle: P\nsteps:\n  - id: slow\n    run: echo done >> ${mark}; sleep 30\n    probe: grep -q done ${mark}\n  - id: after\n    run: echo after >> ${mark}\n`,
    );
    const first = cli(['run', rb], env);
    await waitFor(() => existsSync(mark));
    first.kill('SIGKILL');
    const runId = runIdFrom((await first).stdout);
    const r2 = await cli(['resume', runId], env);
    expect(r2.exitCode).toBe(0);
    expect(r2.stdout).toMatch(/probe `grep -q done .*` exited 0: already done/);
    expect(readFileSync(mark, 'utf8')).toBe('done\nafter\n');
  });
});

describe('vault-runbook journal verify', () => {
  it('Given one byte of a record changed, When verified, Then exit non-zero naming that record', async () => {
    const { env: env2 } = tempState();
    const ok = await cli(['run', join(ROOT, 'test/fixtures/two-steps.yaml')], env2);
    expect(ok.exitCode).toBe(0);
    const runId = runIdFrom(ok.stdout);
    expect((await cli(['journal', 'verify', runId], env2)).exitCode).toBe(0);
    const file = join(env2.XDG_STATE_HOME ?? '', 'vault-runbook', 'runs', `${runId}.jsonl`);
    const lines = readFileSync(file, 'utf8').split('\n');
    // Change one byte of the recorded output "hello" → "jello", keeping the JSON valid.
    const i = lines.findIndex((l) => l.includes('"lines":["hello"]'));
    expect(i).toBeGreaterThan(0);
    lines[i] = (lines[i] ?? '').replace('"lines":["hello"]', '"lines":["jello"]');
    writeFileSync(file, lines.join('\n'));
    const bad = await cli(['journal', 'verify', runId], env2);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toBe(
      `record ${i} (line ${i + 1}, step-output): hash mismatch — the record was changed`,
    );
    // A record that is no longer JSON is named too, and resume refuses a broken chain.
    lines[i] = '{"seq": ';
    writeFileSync(file, lines.join('\n'));
    const torn = await cli(['journal', 'verify', runId], env2);
    expect(torn.exitCode).toBe(1);
    expect(torn.stderr).toContain(`record on line ${i + 1}: not valid JSON`);
  });
});

describe('vault-runbook journal list and show on a damaged journal', () => {
  it('Given lines that are JSON but not records ({}, [], "x", {"event":null}, a run-started without its fields), When listed and shown, Then each reads as a damaged line and nothing crashes', async () => {
    const { env } = tempState();
    const ok = await cli(['run', join(ROOT, 'test/fixtures/two-steps.yaml')], env);
    expect(ok.exitCode).toBe(0);
    const runId = runIdFrom(ok.stdout);
    const runs = join(env.XDG_STATE_HOME ?? '', 'vault-runbook', 'runs');
    const odd = [
      '{}',
      '[]',
      '"x"',
      '{"event":null}',
      '{"seq":0,"time":"t","run":"r","operator":"o","host":"h","prev":"","hash":"h","event":{"type":"run-started"}}',
    ];
    odd.forEach((line, i) => writeFileSync(join(runs, `odd-${i}.jsonl`), `${line}\n`));
    const list = await cli(['journal', 'list'], env);
    expect(list.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain(runId);
    for (let i = 0; i < odd.length; i++) {
      const show = await cli(['journal', 'show', `odd-${i}`], env);
      expect(show.stderr, odd[i]).not.toMatch(/unexpected error|\n\s+at /);
      expect(show.stdout, odd[i]).toMatch(
        /line 1: (not a journal record|record 0 \(run-started\) lacks)/,
      );
      expect(show.stdout, odd[i]).toContain('hash chain: BROKEN');
    }
  });
});

describe('secrets given through --secrets-fd', () => {
  it('Given a secret on fd 3, When the run completes, Then it is in no journal, state file, stdout or stderr', async () => {
    const { dir, env } = tempState();
    const secret = `share-${randomBytes(18).toString('base64url')}`;
    const answers = join(dir, 'answers.yaml');
    writeFileSync(answers, 'ready: yes\nscenario: sealed\ndebrief: all\n');
    const child = cliWithFd3(
      ['run', 'practice', '--answers', answers, '--secrets-fd', '3', '--json'],
      env,
    );
    // fd 3 of the child is a pipe; the secret goes in there and nowhere else.
    const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
    fd3.end(`${secret}\n`);
    const done = await child;
    const out = String(done.stdout);
    expect(done.exitCode).toBe(0);
    expect(out).toContain('"type":"run-finished"');
    expect(out).toContain('share length: ');
    expect(`${out}\n${String(done.stderr)}`).not.toContain(secret);
    for (const f of allFiles(dir)) expect(f.text.includes(secret), f.path).toBe(false);
  });

  it('Given a writer that keeps fd 3 open, When the run ends, Then the CLI exits anyway (it does not wait for EOF)', async () => {
    const { dir, env } = tempState();
    const answers = join(dir, 'answers.yaml');
    writeFileSync(answers, 'ready: yes\nscenario: sealed\ndebrief: all\n');
    const child = cliWithFd3(['run', 'practice', '--answers', answers, '--secrets-fd', '3'], env);
    const fd3 = child.stdio[3] as unknown as NodeJS.WritableStream;
    fd3.on('error', () => undefined);
    fd3.write(`share-${randomBytes(8).toString('hex')}\nan-unused-second-line\n`); // never ended
    const exited = await Promise.race([
      child.then((r) => r.exitCode),
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000)),
    ]);
    if (exited === 'still running') child.kill('SIGKILL');
    expect(exited).toBe(0);
  });

  it('Given a secret step and no secret on the fd, When run headless, Then exit 10 naming the waiting step', async () => {
    const { dir, env } = tempState();
    const answers = join(dir, 'answers.yaml');
    writeFileSync(answers, 'ready: yes\nscenario: sealed\n');
    const r = await cli(['run', 'practice', '--answers', answers], env);
    expect(r.exitCode).toBe(10);
    expect(r.stdout).toMatch(/waits at share/);
  });
});
