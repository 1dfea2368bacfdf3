import { describe, expect, it } from 'vitest';
import { FakeVault } from '../../test-support/fake-vault.js';
import { interpreterFor, runbookFrom } from '../../test-support/fakes.js';

const RB = 'id: h\ntitle: H\nsteps:\n  - { id: health, uses: vault.health }\n';

describe('Vault steps under an insecure override', () => {
  it('Given a client the profile allowed to skip TLS verification, When a Vault step runs, Then its journaled output says so', async () => {
    const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
    vault.insecure = 'INSECURE Vault connection allowed by the profile (lab): node-1 is not https';
    const { run, events } = interpreterFor(runbookFrom(RB), { vault });
    expect(await run()).toMatchObject({ exitCode: 0 });
    const out = events.filter((e) => e.type === 'step-output');
    expect(JSON.stringify(out)).toContain(
      'WARNING: INSECURE Vault connection allowed by the profile (lab)',
    );
  });

  it('Given a verified client, When a Vault step runs, Then no warning is written', async () => {
    const vault = FakeVault.unsealedWith(['aa11aa11'], 1);
    const { run, events } = interpreterFor(runbookFrom(RB), { vault });
    expect(await run()).toMatchObject({ exitCode: 0 });
    expect(JSON.stringify(events)).not.toContain('WARNING');
  });
});
