// The sandbox slot (127.<slot>.x.y addresses) of each benchmark. None is a slot a test uses
// (test/sandbox/*.test.ts and test/e2e take 41, 42 and 90–97; test/bench-slots.test.ts keeps
// it so), and like the tests' they shift by VAULT_RUNBOOK_TEST_SLOT_OFFSET: a bench run beside
// the tests of the same checkout never takes a test's addresses. VAULT_RUNBOOK_SANDBOX_SLOT,
// when set, is used as it is (a person who picked addresses on purpose).
export const BENCH_SLOTS = { sandbox: 60, unseal: 61, tui: 62, upgrade: 63, status: 64 };

/** The slot for the named benchmark, as a string for VAULT_RUNBOOK_SANDBOX_SLOT. */
export function benchSlot(name, env = process.env) {
  if (env.VAULT_RUNBOOK_SANDBOX_SLOT) return env.VAULT_RUNBOOK_SANDBOX_SLOT;
  const base = BENCH_SLOTS[name];
  if (base === undefined) throw new Error(`no bench slot for ${name}`);
  const offset = Number(env.VAULT_RUNBOOK_TEST_SLOT_OFFSET ?? 0) || 0;
  // The same arithmetic as test/sandbox/helpers.ts testSlot().
  return String(((base + offset - 1) % 254) + 1);
}
