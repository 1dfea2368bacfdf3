import { describe, expect, it } from 'vitest';
import { FakeVault } from '../../test-support/fake-vault.js';
import { interpreterFor, runbookFrom } from '../../test-support/fakes.js';

/** A discovering profile whose group is at 0: no node is known, and nothing is vacuously true. */
const empty = () => new FakeVault({ nodes: [] });

describe('steps on a cluster with no node known', () => {
  for (const [what, step] of [
    [
      'vault.wait with an explicit empty list',
      '{ id: s, uses: vault.wait, with: { until: reachable, nodes: [] } }',
    ],
    ['human.unseal-shares', '{ id: s, uses: human.unseal-shares }'],
    [
      'human.unseal-shares on the empty DR region',
      '{ id: s, uses: human.unseal-shares, with: { region: dr } }',
    ],
  ] as const)
    it(`Given no node, When ${what} runs, Then the step fails instead of succeeding on nothing`, async () => {
      const { run } = interpreterFor(runbookFrom(`id: t\ntitle: T\nsteps:\n  - ${step}\n`), {
        vault: empty(),
      });
      expect(await run()).not.toMatchObject({ exitCode: 0 });
    });

  it('Given DR nodes unknown and primary nodes known, When the DR unseal runs, Then it never falls back to the primary’s nodes', async () => {
    const vault = FakeVault.sealedWith(['aa11aa11'], 1);
    const { run } = interpreterFor(
      runbookFrom(
        'id: t\ntitle: T\nsteps:\n  - { id: s, uses: human.unseal-shares, with: { region: dr } }\n',
      ),
      { vault },
    );
    expect(await run()).not.toMatchObject({ exitCode: 0 });
    expect((await vault.sealStatus(vault.nodes()[0]!, AbortSignal.timeout(1000))).sealed).toBe(
      true,
    );
  });

  it('Given no node, When the vault.reachable precondition is checked, Then it does not hold', async () => {
    const { run } = interpreterFor(
      runbookFrom(
        'id: t\ntitle: T\npreconditions:\n  - { check: vault.reachable, message: every node answers }\nsteps:\n  - { id: s, run: "true" }\n',
      ),
      { vault: empty() },
    );
    expect(await run()).toMatchObject({ exitCode: 4 });
  });
});
