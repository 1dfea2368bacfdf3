import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempState } from './support/cli.js';

/**
 * What a command loads (lazy composition, issue 10): the built CLI runs with a loader hook that
 * lists every module it loads, and a command must not load what it does not use — the AWS
 * SDK above all (more than a second of start-up and tens of MB), but also Ink, the sandbox or
 * the action registry where they have no business.
 *
 * The CLI runs from its bundle (scripts/bundle.mjs): the loader sees chunks, not modules. Each
 * chunk's sourcemap names the modules bundled into it, so a loaded chunk counts as loading every
 * one of them — a chunk that merely contains a piece of Ink is a chunk that loads Ink.
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
  const loaded = existsSync(trace) ? readFileSync(trace, 'utf8').trim().split('\n') : [];
  return { modules: loaded.flatMap(withBundledSources), exitCode: r.exitCode, stderr: r.stderr };
}

const BUNDLE = join(ROOT, 'dist', 'bundle');

/** A loaded chunk of the bundle, followed by the URL of every module its sourcemap names. */
function withBundledSources(url: string): string[] {
  if (!url.startsWith('file:')) return [url];
  const file = fileURLToPath(url);
  // Re-export facades and the bundler's runtime have no map: no module of their own, and the
  // chunks they import are loaded (and traced) themselves.
  if (dirname(file) !== BUNDLE || !existsSync(`${file}.map`)) return [url];
  return [url, ...mapSources(file), ...runsCommonJs(file).flatMap(mapSources)];
}

function mapSources(file: string): string[] {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((s) => pathToFileURL(resolve(BUNDLE, s)).href);
}

/**
 * The CommonJS files of the bundle that a chunk runs itself (the TUI's libraries, run with V8's
 * code cache by src/adapters/code-cache.ts), which a module loader hook never sees: a chunk that
 * names one loads it.
 */
function runsCommonJs(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return readdirSync(BUNDLE)
    .filter((f) => f.endsWith('.cjs') && text.includes(`"./${f}"`))
    .map((f) => join(BUNDLE, f));
}

const loads = (modules: string[], what: RegExp): string[] => modules.filter((m) => what.test(m));

describe('what each command loads', () => {
  it('Given --version, list and lint, When run, Then none loads the AWS SDK, Ink or the sandbox', async () => {
    for (const args of [['--version'], ['list'], ['lint']]) {
      const { modules, exitCode } = await modulesOf(args);
      expect(exitCode, args.join(' ')).toBe(0);
      expect(modules.length, args.join(' ')).toBeGreaterThan(3); // the hook saw the CLI load
      // …from the bundle, and the sourcemaps name its modules: src/cli/main.ts among them.
      expect(loads(modules, /\/dist\/bundle\/main\.js$/), args.join(' ')).toHaveLength(1);
      expect(loads(modules, /\/src\/cli\/main\.ts$/), args.join(' ')).toHaveLength(1);
      expect(loads(modules, /\/@aws-sdk\//), args.join(' ')).toEqual([]);
      expect(loads(modules, /\/node_modules\/(ink|react|yoga-layout)\//), args.join(' ')).toEqual(
        [],
      );
      expect(loads(modules, /\/(dist|src)\/sandbox\//), args.join(' ')).toEqual([]);
    }
  });

  it('Given the bundle, When its sourcemaps are read, Then they name Ink, the sandbox and the engine (the checks above can see them)', () => {
    const sources = readdirSync(BUNDLE)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => withBundledSources(pathToFileURL(join(BUNDLE, f)).href));
    for (const what of [/\/node_modules\/ink\//, /\/src\/sandbox\//, /\/src\/engine\//])
      expect(loads(sources, what).length, String(what)).toBeGreaterThan(0);
  });

  it('Given the bundle, When its sourcemaps are read, Then the EC2 client carries only commands src/ names (not its ≈ 800, ≈ 90 MB of RSS)', () => {
    const sources = readdirSync(BUNDLE)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => withBundledSources(pathToFileURL(join(BUNDLE, f)).href));
    const commands = new Set(
      loads(sources, /\/@aws-sdk\/client-ec2\/dist-es\/commands\//).map((s) => basename(s)),
    );
    expect(commands).toContain('DescribeInstancesCommand.js'); // the status pane's call is there
    expect(commands.size).toBeLessThan(30);
  });

  it('Given a terminal and no verb, When the home screen shows, Then the command-line parser and the verbs were never loaded', async () => {
    const { dir, env } = tempState();
    const trace = join(dir, 'modules.txt');
    const tuiEnv: NodeJS.ProcessEnv = { ...env, VR_MODULE_TRACE: trace, TERM: 'xterm-256color' };
    delete tuiEnv.CI; // a terminal has no CI (with it the CLI prints its help instead)
    // A pseudo-terminal of its own (script(1)), as a person's shell gives the CLI.
    const child = spawn(
      'script',
      ['-qfc', `stty cols 120 rows 40; exec node --import ${HOOK} ${BIN}`, '/dev/null'],
      { env: tuiEnv, stdio: ['pipe', 'pipe', 'ignore'], detached: true },
    );
    try {
      await new Promise<void>((resolveShown, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no home screen:\n${out}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/practice/.test(out)) {
            clearTimeout(timer);
            resolveShown();
          }
        });
      });
    } finally {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }
    const modules = readFileSync(trace, 'utf8').trim().split('\n').flatMap(withBundledSources);
    expect(loads(modules, /\/node_modules\/ink\//).length).toBeGreaterThan(0); // the TUI's
    expect(loads(modules, /\/node_modules\/commander\//)).toEqual([]);
    expect(loads(modules, /\/src\/cli\/(program|verbs\/)/)).toEqual([]);
  });

  it("Given the TUI's chunk, When it loads (Ink and its layout engine ready), Then Node's fetch (undici) was never loaded", async () => {
    const chunk = readdirSync(BUNDLE)
      .filter((f) => f.endsWith('.js'))
      .find((f) =>
        withBundledSources(pathToFileURL(join(BUNDLE, f)).href).some((m) =>
          /\/node_modules\/yoga-layout\//.test(m),
        ),
      );
    expect(chunk).toBeDefined();
    // Loading the chunk awaits yoga's WebAssembly (a top-level await): when the import settles,
    // the layout engine is there, and whatever its loader pulled in is in Node's own list.
    const r = await execa(
      'node',
      [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(join(BUNDLE, chunk ?? '')).href)});
         console.log(JSON.stringify(process.moduleLoadList.filter((m) => /undici|fetch/.test(m))));`,
      ],
      { reject: false, env: { ...process.env, NODE_ENV: 'production' } },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('Given --version and list, When run, Then neither loads zod, the action registry, the engine or the YAML parser', async () => {
    for (const args of [['--version'], ['list']]) {
      const { modules } = await modulesOf(args);
      // engine/pending-stop and engine/residue (with the quarantine names it warns about) are
      // the exceptions: `list` must say when a run left the cluster stopped or a quarantine
      // standing, and those modules are pure decisions that import no schema.
      const engine = loads(modules, /\/node_modules\/zod\/|\/(dist|src)\/engine\//).filter(
        (m) => !/\/engine\/(pending-stop|residue|actions\/s3-recovery\/names)\.(js|ts)$/.test(m),
      );
      expect(engine, args.join(' ')).toEqual([]);
      // The shipped runbooks' heads are plain: read without loading the YAML parser at all.
      expect(loads(modules, /\/node_modules\/(js-)?yaml\//), args.join(' ')).toEqual([]);
    }
  });

  it('Given the shipped runbooks, When lint finds no problem, Then the yaml parser (which only places problems) is never loaded', async () => {
    const { modules, exitCode } = await modulesOf(['lint']);
    expect(exitCode).toBe(0);
    expect(loads(modules, /\/node_modules\/js-yaml\//).length).toBeGreaterThan(0); // the values'
    expect(loads(modules, /\/node_modules\/yaml\//)).toEqual([]);
    expect(loads(modules, /\/src\/domain\/(load|yaml-locate)\.ts$/)).toEqual([]);
    // Given only files (or none), lint needs no command-line parser either.
    expect(loads(modules, /\/node_modules\/commander\//)).toEqual([]);
  });

  it('Given lint with an option, When run, Then it goes through the command-line parser like every verb (the check above can see commander)', async () => {
    const { modules, exitCode } = await modulesOf(['lint', '--help']);
    expect(exitCode).toBe(0);
    expect(loads(modules, /\/node_modules\/commander\//).length).toBeGreaterThan(0);
  });

  it('Given a runbook with a problem, When linted, Then the yaml parser is loaded to place it (the check above can see it)', async () => {
    const { dir } = tempState();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'id: bad\ntitle: Bad\nsteps:\n  - id: one\n    run: echo ${{ nope }}\n');
    const { modules, exitCode } = await modulesOf(['lint', file]);
    expect(exitCode).toBe(2);
    expect(loads(modules, /\/node_modules\/yaml\//).length).toBeGreaterThan(0);
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
  it('Given the clipboard adapter (what the TUI loads in the background for a run), When it is made and nothing was copied, Then clipboardy and its ≈ 120 modules are not loaded', async () => {
    const { dir, env } = tempState();
    const trace = join(dir, 'modules.txt');
    const adapter = pathToFileURL(join(ROOT, 'dist', 'adapters', 'clipboard.js')).href;
    const r = await execa(
      'node',
      [
        '--import',
        HOOK,
        '--input-type=module',
        '-e',
        `const { SystemClipboard } = await import(${JSON.stringify(adapter)});
const c = new SystemClipboard();
if ((await c.clear()).kind !== 'nothing' || c.clearSync().kind !== 'nothing') process.exit(3);`,
      ],
      { env: { ...env, VR_MODULE_TRACE: trace }, extendEnv: false, reject: false },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const modules = readFileSync(trace, 'utf8').trim().split('\n');
    expect(loads(modules, /\/dist\/adapters\/clipboard\.js$/)).toHaveLength(1); // the trace sees it
    expect(loads(modules, /\/node_modules\/clipboardy\//)).toEqual([]);
  });
});
