import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { testSlot } from './sandbox/helpers.js';

/**
 * A benchmark's sandbox and a test's must never share addresses: the benches take their slot
 * from scripts/bench-slot.mjs, and no test file names one of those slots.
 */
type BenchSlotModule = {
  BENCH_SLOTS: Record<string, number>;
  benchSlot: (name: string, env?: NodeJS.ProcessEnv) => string;
};
const load = async (): Promise<BenchSlotModule> => {
  const path = join(ROOT, 'scripts', 'bench-slot.mjs');
  return (await import(path)) as BenchSlotModule;
};

/** Every slot a test file asks for: sandboxEnv(N) and testSlot(N) under test/. */
function testSlots(): number[] {
  const out: number[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.startsWith('bench-slots'))
        for (const m of readFileSync(p, 'utf8').matchAll(/\b(?:sandboxEnv|testSlot)\((\d+)\)/g))
          out.push(Number(m[1]));
    }
  };
  walk(join(ROOT, 'test'));
  return [...new Set(out)].sort((a, b) => a - b);
}

describe('benchmark sandbox slots', () => {
  it('Given every bench script that starts a sandbox, When it sets VAULT_RUNBOOK_SANDBOX_SLOT, Then it takes the slot from benchSlot(), never a number of its own', () => {
    const scripts = readdirSync(join(ROOT, 'scripts')).filter((f) => /^bench-.*\.mjs$/.test(f));
    const setting = scripts.filter((f) =>
      readFileSync(join(ROOT, 'scripts', f), 'utf8').includes('VAULT_RUNBOOK_SANDBOX_SLOT:'),
    );
    expect(setting.length).toBeGreaterThanOrEqual(4);
    for (const f of setting) {
      const text = readFileSync(join(ROOT, 'scripts', f), 'utf8');
      expect(text, f).toMatch(/VAULT_RUNBOOK_SANDBOX_SLOT: benchSlot\('\w+'\)/);
      expect(text, f).not.toMatch(/VAULT_RUNBOOK_SANDBOX_SLOT:[^\n]*'\d+'/);
    }
  });

  it('Given the slots the tests use, When the benches pick theirs with or without a test slot offset, Then none is a test’s and no two benches share one', async () => {
    const { BENCH_SLOTS, benchSlot } = await load();
    const used = testSlots();
    expect(used).toContain(97); // test/e2e/fresh-machine: the scan finds the tests' slots
    for (const offset of ['0', '40', '200']) {
      const env = { VAULT_RUNBOOK_TEST_SLOT_OFFSET: offset };
      const prev = process.env.VAULT_RUNBOOK_TEST_SLOT_OFFSET;
      process.env.VAULT_RUNBOOK_TEST_SLOT_OFFSET = offset;
      const tests = used.map((s) => testSlot(s));
      if (prev === undefined) delete process.env.VAULT_RUNBOOK_TEST_SLOT_OFFSET;
      else process.env.VAULT_RUNBOOK_TEST_SLOT_OFFSET = prev;
      const benches = Object.keys(BENCH_SLOTS).map((n) => benchSlot(n, env));
      expect(new Set(benches).size).toBe(benches.length);
      for (const b of benches) expect(tests, `offset ${offset}`).not.toContain(b);
    }
  });

  it('Given VAULT_RUNBOOK_SANDBOX_SLOT set by a person, When a bench picks its slot, Then that one is used', async () => {
    const { benchSlot } = await load();
    expect(benchSlot('unseal', { VAULT_RUNBOOK_SANDBOX_SLOT: '150' })).toBe('150');
  });
});
