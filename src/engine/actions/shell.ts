import { z } from 'zod';
import type { Profile } from '../../domain/schema.js';
import { Redactor, Secret } from '../../domain/secret.js';
import type { ProcessRunOptions } from '../ports.js';
import type { ActionDef } from './types.js';

/**
 * Variables that would make a `vault` CLI trust something other than the profile's CA: the
 * operator's shell may have them set, and the child inherits that shell's environment.
 */
const TLS_OVERRIDES = ['VAULT_SKIP_VERIFY', 'VAULT_CAPATH', 'VAULT_CACERT_BYTES'];

/**
 * The operator's own token is for the calls the tool makes, not for every command a runbook
 * runs: a step gets VAULT_TOKEN only when its `env:` gives it one (generate-root's break-glass
 * step gives the new root token). Whatever else the command starts would otherwise inherit it.
 */
const NOT_INHERITED = ['VAULT_TOKEN'];

/**
 * A step whose environment names a Vault address (VAULT_ADDR from the engine, e.g. the node
 * generate-root used) runs a `vault` CLI that must verify TLS as the tool does: against the
 * profile's CA and server name, never with verification off.
 */
export function vaultTlsEnv(
  env: Readonly<Record<string, unknown>> | undefined,
  profile: Profile | undefined,
): Pick<ProcessRunOptions, 'env' | 'unset'> {
  if (env?.VAULT_ADDR === undefined) return { unset: NOT_INHERITED };
  const tls = profile?.vault.tls;
  return {
    env: {
      ...(tls?.ca_cert ? { VAULT_CACERT: tls.ca_cert } : {}),
      ...(tls?.server_name ? { VAULT_TLS_SERVER_NAME: tls.server_name } : {}),
    },
    unset: [...TLS_OVERRIDES, ...NOT_INHERITED],
  };
}

/** Secrets reach a command through its environment (never argv, which `ps` shows everyone). */
const EnvValue = z.union([
  z.string(),
  z.number().transform(String),
  z.boolean().transform(String),
  z.instanceof(Secret),
]);

/**
 * The interpreters a body may run under, written out in the runbook. Both expand `${NAME}` the
 * same way, which is what keeps expression values out of the script (see shell-template.ts).
 */
export const SHELLS = ['bash', 'sh'] as const;

const Input = z.strictObject({
  command: z.string().min(1),
  env: z.record(z.string(), EnvValue).optional(),
  cwd: z.string().optional(),
  shell: z.enum(SHELLS).optional(),
  probe: z.string().optional(),
  /** Exit codes that count as success besides 0. */
  'ok-exit-codes': z.array(z.number().int()).optional(),
});
type Input = z.infer<typeof Input>;

/** Outputs a command sets by printing `::set-output name=value` lines (like GitHub's). */
const SET_OUTPUT = /^::set-output ([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/;
/** A command marks a value it prints as secret (like CI runners' `::add-mask::`). */
const ADD_MASK = /^::add-mask::(.*)$/;

export const shellAction: ActionDef<Input> = {
  id: 'shell',
  summary: 'Run a shell command (bash) in its own process group; `run:` is shorthand for it',
  input: Input,
  idempotent: false,
  human: false,
  describe: (i) => `run \`${i.command}\`${i.cwd ? ` in ${i.cwd}` : ''}`,
  async run(ctx) {
    const outputs: Record<string, string> = {};
    // What this command asked to hide, for its own outputs; the run's redactor learns them too.
    const masks = new Redactor();
    const tls = vaultTlsEnv(ctx.input.env, ctx.profile);
    const result = await ctx.ports.process.run(ctx.input.command, {
      signal: ctx.signal,
      env: {
        ...ctx.input.env,
        ...tls.env,
        VAULT_RUNBOOK_RUN_ID: ctx.runId,
        VAULT_RUNBOOK_STEP: ctx.stepId,
      },
      ...(tls.unset ? { unset: tls.unset } : {}),
      ...(ctx.input.cwd ? { cwd: ctx.input.cwd } : {}),
      ...(ctx.input.shell ? { shell: ctx.input.shell } : {}),
      onSpawn: (pid) => ctx.recordProcess(pid),
      onLine: (stream, line) => {
        const mask = ADD_MASK.exec(line);
        if (mask) {
          const value = (mask[1] ?? '').trim();
          masks.add(value);
          ctx.registerSecret(new Secret(value, 'masked output'));
          return;
        }
        const m = SET_OUTPUT.exec(line);
        if (m?.[1] !== undefined) outputs[m[1]] = m[2] ?? '';
        else ctx.log(line, stream);
      },
    });
    const ok =
      result.exitCode === 0 || (ctx.input['ok-exit-codes'] ?? []).includes(result.exitCode);
    if (!ok)
      throw new Error(
        `command exited with ${result.signal ? `signal ${result.signal}` : `code ${result.exitCode}`}`,
      );
    // An output holding something masked (or token-shaped) stays usable by later steps, as a
    // Secret: through env: it reaches them whole, and nothing records or shows it.
    const named = Object.fromEntries(
      Object.entries(outputs).map(([k, v]) => [
        k,
        masks.redact(v) === v ? v : new Secret(v, `output ${k}`),
      ]),
    );
    const stdout = result.stdout
      .split('\n')
      .filter((l) => !ADD_MASK.test(l))
      .join('\n')
      .trimEnd();
    return { ...named, exit_code: result.exitCode, stdout: masks.redact(stdout) };
  },
  async probe(ctx) {
    if (!ctx.input.probe) return { tookEffect: false, detail: 'no probe: the command runs again' };
    const tls = vaultTlsEnv(ctx.input.env, ctx.profile);
    const result = await ctx.ports.process.run(ctx.input.probe, {
      signal: ctx.signal,
      env: { ...ctx.input.env, ...tls.env, VAULT_RUNBOOK_RUN_ID: ctx.runId },
      ...(tls.unset ? { unset: tls.unset } : {}),
      ...(ctx.input.cwd ? { cwd: ctx.input.cwd } : {}),
      ...(ctx.input.shell ? { shell: ctx.input.shell } : {}),
      onLine: (stream, line) => ctx.log(`probe: ${line}`, stream),
    });
    return result.exitCode === 0
      ? {
          tookEffect: true,
          outputs: { exit_code: 0, stdout: '' },
          detail: `probe \`${ctx.input.probe}\` exited 0: already done`,
        }
      : {
          tookEffect: false,
          detail: `probe \`${ctx.input.probe}\` exited ${result.exitCode}: running again`,
        };
  },
};
