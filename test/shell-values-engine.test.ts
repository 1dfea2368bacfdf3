import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecaProcess } from '../src/adapters/process.js';
import { interpreterFor, runbookFrom } from '../src/test-support/fakes.js';

describe('values from Vault in a run: body, through real bash', () => {
  it("Given a node whose Vault version holds '; touch …', When a body uses cluster data bare and quoted, Then the version is printed and nothing runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-cluster-'));
    const pwned = join(dir, 'pwned');
    const version = `1.14.8; touch ${pwned}`;
    const rb = runbookFrom(
      `id: t\ntitle: T\nsteps:\n  - id: show\n    run: |\n      echo "version \${{ cluster.nodes[0].version }}"\n      echo \${{ cluster.nodes[0].version }}\n`,
    );
    const { interpreter, run, events } = interpreterFor(rb, { process: new ExecaProcess() });
    interpreter.updateCluster({ nodes: [{ name: 'node-1', version }] });
    const result = await run();
    expect(result).toMatchObject({ exitCode: 0 });
    expect(existsSync(pwned)).toBe(false);
    const lines = events.flatMap((e) => (e.type === 'step-output' ? e.lines : []));
    expect(lines).toEqual([`version ${version}`, version]);
  });
});
