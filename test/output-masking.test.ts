import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allFiles, cli, runIdFrom, tempState } from './support/cli.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

const TOKEN = 'hvs.CAESIJ4ld4pjfUk9HqyEqxRsObbYy4W0Bxg3G6kkzhbL2bV1';

const PRINTS_SECRETS = `id: leaky
title: A step that prints secrets
steps:
  - id: make
    run: |
      # Made at run time, as a real command would: the runbook itself holds neither value.
      MINE="opaque-$(printf %s secret-value-42)"
      TOKEN="hvs.$(printf %s ${TOKEN.slice(4)})"
      echo "::add-mask::$MINE"
      echo "mine=$MINE"
      echo "created $TOKEN"
      printf 'version 1.14.8\\033]0;owned\\007\\033[2J\\033[31m red\\r\\n'
      echo "::set-output mine=$MINE"
  - id: use
    env: { MINE: "\${{ steps.make.outputs.mine }}" }
    run: echo "the next step got \${#MINE} characters"
`;

describe('what a step prints, as the operator and the journal see it', () => {
  it.each([[[]], [['--json']]])(
    'Given a step that masks a value and prints a token and escape sequences, When run headless %j, Then neither the output nor the journal holds them',
    async (flags) => {
      const { dir, env } = tempState();
      const rb = join(dir, 'rb.yaml');
      writeFileSync(rb, PRINTS_SECRETS);
      const r = await cli(['run', rb, ...flags], env);
      expect(r.exitCode).toBe(0);
      const out = r.stdout + r.stderr;
      expect(out).toContain('mine=‹redacted›');
      expect(out).toContain('created ‹redacted›');
      expect(out).toContain('version 1.14.8');
      // The masked output is a secret that still reaches the next step whole.
      expect(out).toContain('the next step got 22 characters');
      for (const leak of ['opaque-secret-value-42', TOKEN]) {
        expect(out).not.toContain(leak);
        for (const f of allFiles(join(dir, 'state'))) expect(f.text).not.toContain(leak);
      }
      expect(out.replace(/\n/g, '')).not.toMatch(CONTROL);
      // JSON escapes control characters: read the records back (as UTF-8) and look at their strings.
      for (const f of allFiles(join(dir, 'state')))
        for (const line of readFileSync(f.path, 'utf8').split('\n').filter(Boolean))
          expect(
            strings(JSON.parse(line))
              .join('')
              .replace(/[\n\t]/g, ''),
          ).not.toMatch(CONTROL);
    },
  );
});

describe('journal show', () => {
  it('Given a journal edited to hold escape sequences, When shown, Then the transcript has no control characters', async () => {
    const { dir, env } = tempState();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(rb, 'id: j\ntitle: J\nsteps:\n  - { id: say, run: echo hello-journal }\n');
    const r = await cli(['run', rb], env);
    const runId = runIdFrom(r.stdout);
    const file = allFiles(join(dir, 'state')).find((f) => f.path.includes(runId))?.path ?? '';
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replaceAll(
        'hello-journal',
        'hello\\u001b]0;owned\\u0007\\u001b[2Jjournal',
      ),
    );
    const shown = await cli(['journal', 'show', runId], env);
    expect(shown.stdout).toContain('hellojournal');
    expect(shown.stdout.replace(/\n/g, '')).not.toMatch(CONTROL);
  });
});

describe('DEBUG in the environment', () => {
  it('Given DEBUG=*, When a run starts, Then its commands do not inherit it and no debug output appears', async () => {
    const { dir, env } = tempState();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(
      rb,
      'id: d\ntitle: D\nsteps:\n  - id: show\n    run: echo "debug=${DEBUG-unset} debug_depth=${DEBUG_DEPTH-unset} node_debug=${NODE_DEBUG-unset}"\n',
    );
    const r = await cli(['run', rb], { ...env, DEBUG: '*', DEBUG_DEPTH: '9' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('debug=unset debug_depth=unset node_debug=unset');
  });

  it('Given NODE_DEBUG, When any command starts, Then it is a one-line usage error before a run exists (Node would print request headers)', async () => {
    const { dir, env } = tempState();
    const rb = join(dir, 'rb.yaml');
    writeFileSync(rb, 'id: d\ntitle: D\nsteps:\n  - id: show\n    run: echo hi\n');
    const r = await cli(['run', rb], { ...env, NODE_DEBUG: 'http' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unset NODE_DEBUG/);
    expect(allFiles(dir).filter((f) => f.path.endsWith('.jsonl'))).toEqual([]);
  });
});
