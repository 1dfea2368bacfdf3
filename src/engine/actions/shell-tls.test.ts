import { describe, expect, it } from 'vitest';
import { ExecaProcess } from '../../adapters/process.js';
import type { Profile } from '../../domain/schema.js';
import { FakeProcess, interpreterFor, runbookFrom } from '../../test-support/fakes.js';
import type { ProcessRunOptions } from '../ports.js';

const profile: Profile = {
  name: 'prod',
  vault: {
    addresses: ['https://10.0.0.1:8200'],
    tls: { ca_cert: '/etc/vault/ca.pem', server_name: 'vault.internal' },
  },
};

const STEP = (env: string): string =>
  `id: t\ntitle: T\nsteps:\n  - id: work\n    run: vault status\n${env}`;

async function optsOf(yaml: string): Promise<Omit<ProcessRunOptions, 'env'> & { env: object }> {
  const seen: (Omit<ProcessRunOptions, 'env'> & { env: object })[] = [];
  const proc = new FakeProcess((_cmd, opts) => {
    seen.push(opts);
    return { exitCode: 0, stdout: '', stderr: '' };
  });
  const { run } = interpreterFor(runbookFrom(yaml), { process: proc, profile });
  await expect(run()).resolves.toMatchObject({ exitCode: 0 });
  const first = seen[0];
  if (!first) throw new Error('the command did not run');
  return first;
}

describe('a run: step that gets VAULT_ADDR from the engine', () => {
  it('Given a profile with a CA and a server name, When a step sets VAULT_ADDR, Then its vault CLI gets VAULT_CACERT and VAULT_TLS_SERVER_NAME and inherits no skip-verify', async () => {
    const opts = await optsOf(STEP(`    env: { VAULT_ADDR: "https://10.0.0.1:8200" }\n`));
    expect(opts.env).toMatchObject({
      VAULT_ADDR: 'https://10.0.0.1:8200',
      VAULT_CACERT: '/etc/vault/ca.pem',
      VAULT_TLS_SERVER_NAME: 'vault.internal',
    });
    expect(opts.env).not.toHaveProperty('VAULT_SKIP_VERIFY');
    expect(opts.unset).toEqual(expect.arrayContaining(['VAULT_SKIP_VERIFY', 'VAULT_CAPATH']));
  });

  it('Given a step that names no Vault address, When it runs, Then its environment is left as the runbook wrote it', async () => {
    const opts = await optsOf(STEP(`    env: { OTHER: "x" }\n`));
    expect(opts.env).not.toHaveProperty('VAULT_CACERT');
    expect(opts.unset).toEqual(['VAULT_TOKEN']);
  });
});

describe('the operator token and run: steps', () => {
  it('Given VAULT_TOKEN in the operator’s environment, When a run: step runs, Then the command does not inherit it', async () => {
    process.env.VAULT_TOKEN = 'hvs.operator-token-for-the-tool-only';
    try {
      const { run, events } = interpreterFor(
        runbookFrom(
          STEP(`    env: { OTHER: "x" }\n`).replace('vault status', 'echo "t=${VAULT_TOKEN-none}"'),
        ),
        {
          process: new ExecaProcess(),
          profile,
        },
      );
      await expect(run()).resolves.toMatchObject({ exitCode: 0 });
      const seen = JSON.stringify(events);
      expect(seen).toContain('t=none');
      expect(seen).not.toContain('operator-token-for-the-tool-only');
    } finally {
      delete process.env.VAULT_TOKEN;
    }
  });

  it('Given a step whose env: gives VAULT_TOKEN, When it runs, Then it gets that value', async () => {
    const opts = await optsOf(
      STEP(`    env: { VAULT_ADDR: "https://10.0.0.1:8200", VAULT_TOKEN: "given" }\n`),
    );
    expect(opts.env).toMatchObject({ VAULT_TOKEN: 'given' });
  });
});

describe('ExecaProcess unset', () => {
  it('Given VAULT_SKIP_VERIFY in the tool’s own environment, When a command runs with it unset, Then the child does not inherit it', async () => {
    process.env.VAULT_SKIP_VERIFY = 'true';
    try {
      const lines: string[] = [];
      const r = await new ExecaProcess().run('echo "skip=${VAULT_SKIP_VERIFY-none}"', {
        signal: AbortSignal.timeout(10_000),
        env: { VAULT_ADDR: 'https://x' },
        unset: ['VAULT_SKIP_VERIFY'],
        onLine: (_s, l) => lines.push(l),
      });
      expect(r.exitCode).toBe(0);
      expect(lines).toEqual(['skip=none']);
    } finally {
      delete process.env.VAULT_SKIP_VERIFY;
    }
  });
});
