import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempState } from './support/cli.js';

/** Runs the CLI with a stdout pipe that this side closes after `keep` bytes, like `| head -c`. */
async function withClosedReader(
  args: string[],
  env: NodeJS.ProcessEnv,
  keep: number,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let got = 0;
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    got += b.length;
    if (got >= keep) child.stdout.destroy();
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, stderr };
}

describe('a reader that goes away', () => {
  it('Given `list | head -1`, When the reader closes the pipe, Then the CLI exits 0 with no error or stack trace', async () => {
    const { env } = tempState();
    const r = await withClosedReader(['list'], env, 1);
    expect(r.stderr).not.toMatch(/EPIPE|unexpected error|\n\s+at /);
    expect(r.code).toBe(0);
  });

  it('Given a headless run whose stdout reader closes at once, When it runs, Then it still finishes every step (the journal ends as succeeded)', async () => {
    const { env, dir } = tempState();
    const r = await withClosedReader(
      ['run', join(ROOT, 'test/fixtures/two-steps.yaml')],
      { ...env, CI: 'true' },
      1,
    );
    expect(r.stderr).not.toMatch(/EPIPE|unexpected error|\n\s+at /);
    expect(r.code).toBe(0);
    const runs = join(dir, 'state', 'vault-runbook', 'runs');
    const journal = readdirSync(runs).find((f) => f.endsWith('.jsonl'));
    expect(journal).toBeDefined();
    const text = readFileSync(join(runs, journal ?? ''), 'utf8');
    expect(text).toContain('"stepId":"world"');
    expect(text).toContain('"kind":"succeeded"');
  });
});
