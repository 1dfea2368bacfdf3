import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { ensureTools } from '../support/tools.js';
import { testSlot } from '../sandbox/helpers.js';

/**
 * A newcomer's first sandbox start, on a machine whose tool cache is empty: provisioning the
 * tools takes longer than the sandbox's own deadline (a real Vault build takes 10-25 minutes),
 * and the start must still succeed — the deadline is for the nodes to answer, counted from
 * when the sandbox starts.
 *
 * The package is copied as `npm ci` leaves it, with one difference: its scripts/ensure-tools.sh
 * does not build Go for a quarter of an hour, it copies the tools the real script built into
 * the empty cache (XDG_CACHE_HOME in a temp dir) and then takes longer than the deadline.
 */
const DEADLINE_S = 90;
const PROVISION_S = DEADLINE_S + 15;

const SLOW_PROVISIONER = `#!/usr/bin/env bash
# Stand-in for a cold-cache build: copies the built tools into this cache, then waits.
set -euo pipefail
cache="\${XDG_CACHE_HOME:?}/vault-runbook"
mkdir -p "$cache/bin"
echo "fresh-machine test: copying the built tools into $cache" >&2
tmp="$cache/tools.env.partial"
: > "$tmp"
while IFS= read -r line || [[ -n "$line" ]]; do
  key="\${line%%=*}"
  val="\${line#*=}"; val="\${val%[\\"\\']}"; val="\${val#[\\"\\']}"
  if [[ "$key" == *_BIN* && -f "$val" ]]; then
    dest="$cache/bin/$(basename "$val")"
    [[ -e "$dest" ]] || cp "$val" "$dest"
    echo "$key=$dest" >> "$tmp"
  else
    echo "$line" >> "$tmp"
  fi
done < "\${REAL_TOOLS_ENV:?}"
echo "fresh-machine test: provisioning takes \${PROVISION_SECONDS:?} s" >&2
sleep "$PROVISION_SECONDS"
mv "$tmp" "$cache/tools.env"
`;

let tmp = '';
let pkg = '';
let env: NodeJS.ProcessEnv = {};

function cliCopy(args: string[]) {
  return execa(process.execPath, [join(pkg, 'bin', 'vault-runbook.js'), ...args], {
    env,
    extendEnv: false,
    reject: false,
  });
}

describe('the first sandbox start on a fresh machine', () => {
  beforeAll(async () => {
    await ensureTools(); // the real tools, built once by scripts/ensure-tools.sh
    tmp = mkdtempSync(join(tmpdir(), 'vr-fresh-'));
    pkg = join(tmp, 'pkg');
    for (const part of ['bin', 'dist', 'runbooks', 'package.json'])
      cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    mkdirSync(join(pkg, 'scripts'));
    writeFileSync(join(pkg, 'scripts', 'ensure-tools.sh'), SLOW_PROVISIONER, { mode: 0o755 });
    const realCache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XDG_CACHE_HOME: join(tmp, 'cache'), // empty: nothing is provisioned yet
      XDG_STATE_HOME: join(tmp, 'state'),
      XDG_CONFIG_HOME: join(tmp, 'config'),
      VAULT_RUNBOOK_SANDBOX_SLOT: testSlot(97),
      REAL_TOOLS_ENV: join(realCache, 'vault-runbook', 'tools.env'),
      PROVISION_SECONDS: String(PROVISION_S),
    };
  }, 60 * 60_000);

  afterAll(async () => {
    if (pkg) await cliCopy(['sandbox', 'down', '--purge']);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it(
    `Given an empty tool cache whose provisioning takes longer than the ${DEADLINE_S} s deadline, When the sandbox starts, Then it comes up`,
    async () => {
      const r = await cliCopy(['sandbox', 'up', '--timeout', String(DEADLINE_S)]);
      const out = `${String(r.stdout)}\n${String(r.stderr)}`;
      expect(out).toContain('tools missing'); // provisioning ran: the cache was empty
      expect(out).toContain(`provisioning takes ${PROVISION_S} s`);
      expect(out).not.toContain('did not have');
      expect(r.exitCode, out).toBe(0);
      expect((await cliCopy(['status', '--json'])).exitCode).toBe(0);
      expect(
        spawnSync('test', ['-s', join(tmp, 'cache', 'vault-runbook', 'tools.env')]).status,
      ).toBe(0);
    },
    15 * 60_000,
  );
});
