import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempState } from './support/cli.js';

/**
 * What a command loads (lazy composition, issue 10): the built CLI runs with a loader hook that
 * lists every module it loads, and a command must not load what it does not use — the AWS
 * SDK above all (more than a second of start-up and tens of MB), but also Ink, the sandbox or
 * the action registry where they have no business.
 */

const HOOK = join(ROOT, 'test', 'fixtures', 'module-trace', 'register.mjs');

async function modulesOf(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ modules: string[]; exitCode: number | undefined; stderr: string }> {
  const { dir, env } = tempState();
  const trace = join(dir, 'modules.txt');
  const r = await execa('node', ['--import', HOOK, BIN, ...args], {
    env: { ...env, ...extraEnv, VR_MODULE_TRACE: trace },
    extendEnv: false,
    reject: false,
  });
  const modules = existsSync(trace) ? readFileSync(trace, 'utf8').trim().split('\n') : [];
  return { modules, exitCode: r.exitCode, stderr: r.stderr };
}

const loads = (modules: string[], what: RegExp): string[] => modules.filter((m) => what.test(m));

describe('what each command loads', () => {
  it('Given --version, list and lint, When run, Then none loads the AWS SDK, Ink or the sandbox', async () => {
    for (const args of [['--version'], ['list'], ['lint']]) {
      const { modules, exitCode } = await modulesOf(args);
      expect(exitCode, args.join(' ')).toBe(0);
      expect(modules.length, args.join(' ')).toBeGreaterThan(3); // the hook saw the CLI load
      expect(loads(modules, /\/@aws-sdk\//), args.join(' ')).toEqual([]);
      expect(loads(modules, /\/node_modules\/(ink|react|yoga-layout)\//), args.join(' ')).toEqual(
        [],
      );
      expect(loads(modules, /\/dist\/sandbox\//), args.join(' ')).toEqual([]);
    }
  });

  it('Given --version and list, When run, Then neither loads zod, the action registry or the engine', async () => {
    for (const args of [['--version'], ['list']]) {
      const { modules } = await modulesOf(args);
      // engine/pending-stop.js is the one exception: `list` must say when a run left the cluster
      // stopped, and that module is pure decisions whose imports are all `import type`.
      const engine = loads(modules, /\/node_modules\/zod\/|\/dist\/engine\//).filter(
        (m) => !m.endsWith('/dist/engine/pending-stop.js'),
      );
      expect(engine, args.join(' ')).toEqual([]);
    }
  });

  it('Given a profile with an aws section, When status reads it, Then the SDK is loaded (the trace sees it) and its Node-version warning is not printed', async () => {
    const { dir } = tempState();
    const profile = join(dir, 'aws.yaml');
    // Nothing listens on these ports: every call fails at once, and the SDK is loaded all the same.
    writeFileSync(
      profile,
      [
        'name: aws-closed',
        'vault:',
        '  addresses: ["http://127.0.0.1:9"]',
        '  tls: { insecure_override: "test: nothing listens here" }',
        'aws:',
        '  region: us-east-1',
        '  asg: vault',
        '  endpoints: { autoscaling: "http://127.0.0.1:9", ec2: "http://127.0.0.1:9", s3: "http://127.0.0.1:9" }',
        '',
      ].join('\n'),
    );
    const { modules, stderr } = await modulesOf(['status', '--profile', profile], {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    });
    expect(loads(modules, /\/@aws-sdk\/client-auto-scaling\//).length).toBeGreaterThan(0);
    expect(stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  });
});
