import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { gpgSubkeys, makeGpgKeys, type GpgHome } from '../../../test/support/pgp.js';
import { LocalFiles } from '../../adapters/files.js';
import { headlessProblems } from '../../cli/preflight.js';
import { UsageError } from '../../domain/errors.js';
import { dearmor } from '../../domain/pgp.js';
import type { Profile } from '../../domain/schema.js';
import { Secret } from '../../domain/secret.js';
import { ScriptedHuman } from '../../headless/answers.js';
import { FakeVault } from '../../test-support/fake-vault.js';
import { FakeClipboard } from '../../test-support/clipboard.js';
import { interpreterFor, runbookFrom, ScriptedAnswers } from '../../test-support/fakes.js';
import type { HumanAnswer, HumanPrompt } from '../human.js';
import { builtinRegistry } from './builtin.js';
import { tokenCreateAction } from './operator.js';

let gpg: GpgHome;
beforeAll(async () => {
  gpg = await makeGpgKeys(['Ann', 'Ben', 'Cat']);
}, 120_000);

const plainProfile: Profile = {
  name: 'prod',
  vault: { addresses: ['https://node-1:8200'] },
  keyholders: [{ name: 'Ann' }, { name: 'Ben' }, { name: 'Cat' }],
};
const pgpProfile = (): Profile => ({
  ...plainProfile,
  keyholders: gpg.keys.map((k) => ({ name: k.name, pgp_key: k.binaryFile })),
});

const INIT_AND_HAND = `
id: t
title: t
steps:
  - id: init
    uses: vault.init
    with: { threshold: 2 }
  - id: distribute
    uses: human.keyholder-handoff
    with:
      keys: \${{ steps.init.outputs.keys }}
      keyholders: \${{ steps.init.outputs.keyholders }}
      pgp: \${{ steps.init.outputs.pgp }}
      dir: DIR
`;

/** Keyholders who do what they are told; `wrongFirst` mistypes their proof once. */
function keyholders(vault: FakeVault, opts: { wrongFirst?: string; copy?: string } = {}) {
  const shown: { holder: string; secret: string; reopen?: unknown }[] = [];
  const wrong = new Set(opts.wrongFirst ? [opts.wrongFirst] : []);
  const copied = new Set<string>();
  let current = '';
  const human = new ScriptedAnswers((_step, p: HumanPrompt): HumanAnswer => {
    switch (p.type) {
      case 'instructions':
        return { type: 'instructions', done: true };
      case 'handoff': {
        current = p.holder;
        shown.push({ holder: p.holder, secret: p.secret.reveal(), reopen: p.reopen });
        if (opts.copy === p.holder && !copied.has(p.holder)) {
          copied.add(p.holder);
          return { type: 'handoff', action: 'copy' };
        }
        return { type: 'handoff', action: 'recorded' };
      }
      case 'secret': {
        const share = shown[shown.length - 1]?.secret ?? '';
        if (wrong.delete(current)) return { type: 'secret', value: new Secret('zzzzzz') };
        return { type: 'secret', value: new Secret(share.slice(-6)) };
      }
      case 'confirm':
      case 'input':
      case 'choose':
      case 'checklist':
      case 'destructive':
        throw new Error(`unexpected ${p.type} after ${vault.calls.length} Vault calls`);
    }
  });
  return { human, shown };
}

describe('vault.init and human.keyholder-handoff', () => {
  it('Given keyholders without PGP keys, When the ceremony initializes and hands over, Then each keyholder sees only their own share, proves it, and nothing secret is journaled', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const { human, shown } = keyholders(vault, { wrongFirst: 'Ben', copy: 'Cat' });
    const clipboard = new FakeClipboard();
    const { run, events } = interpreterFor(
      runbookFrom(INIT_AND_HAND.replace('DIR', '/nonexistent')),
      {
        vault,
        human,
        profile: plainProfile,
        clipboard,
      },
    );
    const r = await run();
    expect(r).toMatchObject({ kind: 'finished', exitCode: 0 });
    expect(vault.lastInit).toMatchObject({ secretShares: 3, secretThreshold: 2 });
    expect(vault.lastInit?.pgpKeys).toBeUndefined();
    // Ann once; Ben twice (a wrong proof shows it again); Cat twice (after the copy).
    expect(shown.map((s) => s.holder)).toEqual(['Ann', 'Ben', 'Ben', 'Cat', 'Cat']);
    expect(shown.map((s) => s.secret)).toEqual([
      vault.cluster.shares[0],
      vault.cluster.shares[1],
      vault.cluster.shares[1],
      vault.cluster.shares[2],
      vault.cluster.shares[2],
    ]);
    expect(shown[2]?.reopen).toMatchObject({ error: expect.stringMatching(/not how your/) });
    expect(shown[4]?.reopen).toMatchObject({ copied: true });
    expect(clipboard.copies).toEqual([{ text: vault.cluster.shares[2], ms: 30_000 }]);
    const journal = JSON.stringify(events);
    for (const s of [...vault.cluster.shares, ...vault.cluster.tokens.keys()])
      expect(journal).not.toContain(s);
    expect(journal).toMatch(/unseal share 2 of 3 handed to Ben/);
    const done = events.find((e) => e.type === 'step-succeeded' && e.stepId === 'distribute');
    expect(done).toMatchObject({
      outputs: {
        mode: 'plain',
        holders: [
          { index: 1, name: 'Ann' },
          { index: 2, name: 'Ben' },
          { index: 3, name: 'Cat' },
        ],
      },
    });
  });

  it('Given a clipboard that cannot be written (an SSH session), When a keyholder presses copy, Then the share stays on screen with the reason and the handoff goes on', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const { human, shown } = keyholders(vault, { copy: 'Ann' });
    const { run } = interpreterFor(runbookFrom(INIT_AND_HAND.replace('DIR', '/x')), {
      vault,
      human,
      profile: plainProfile,
      clipboard: Object.assign(new FakeClipboard(), { broken: 'no display' }),
    });
    expect(await run()).toMatchObject({ exitCode: 0 });
    expect(shown[1]).toMatchObject({
      holder: 'Ann',
      reopen: { error: expect.stringMatching(/could not copy \(no display\)/) },
    });
  });

  it('Given Ann copied her share, When she proves she recorded it, Then the clipboard is empty before Ben is called, and the journal says it was cleared', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const clipboard = new FakeClipboard();
    const { human } = keyholders(vault, { copy: 'Ann' });
    const seen: { prompt: string; clipboard: string }[] = [];
    const watching = new ScriptedAnswers((step, p, signal) => {
      seen.push({
        prompt: p.type === 'handoff' ? `handoff ${p.holder}` : p.type,
        clipboard: clipboard.contents,
      });
      return human.answer(step, p, signal);
    });
    const { run, events } = interpreterFor(runbookFrom(INIT_AND_HAND.replace('DIR', '/x')), {
      vault,
      human: watching,
      profile: plainProfile,
      clipboard,
    });
    expect(await run()).toMatchObject({ exitCode: 0 });
    const benCalled = seen.findIndex((s) => s.prompt === 'handoff Ben') - 1;
    expect(seen[benCalled]).toEqual({ prompt: 'instructions', clipboard: '' });
    expect(clipboard.clears).toEqual([{ kind: 'cleared' }]);
    expect(JSON.stringify(events)).toMatch(/Ann's unseal share 1 of 3 cleared from the clipboard/);
  });

  it('Given Ann copied her share, When the run is aborted at her proof, Then the share is taken back from the clipboard without waiting for the timer', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const clipboard = new FakeClipboard();
    const { human } = keyholders(vault, { copy: 'Ann' });
    let atProof: () => void = () => undefined;
    const proofReached = new Promise<void>((r) => (atProof = r));
    const stuck = new ScriptedAnswers((step, p, signal) => {
      if (p.type !== 'secret') return human.answer(step, p, signal);
      atProof();
      return new Promise((_r, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    });
    const { run, interpreter } = interpreterFor(runbookFrom(INIT_AND_HAND.replace('DIR', '/x')), {
      vault,
      human: stuck,
      profile: plainProfile,
      clipboard,
    });
    const done = run();
    await proofReached;
    expect(clipboard.contents).toBe(vault.cluster.shares[0]);
    interpreter.abort('Ctrl-C');
    await expect(done).resolves.toMatchObject({ exitCode: 3 });
    await vi.waitFor(() => expect(clipboard.clears).toEqual([{ kind: 'cleared' }]));
    expect(clipboard.contents).toBe('');
  });

  it('Given a clipboard that stops answering after the copy, When the keyholder proves the share, Then the log says the clear failed and to clear it by hand, never that it was cleared', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const clipboard = new FakeClipboard();
    const { human } = keyholders(vault, { copy: 'Ann' });
    const breaking = new ScriptedAnswers((step, p, signal) => {
      if (p.type === 'secret') clipboard.broken = 'xsel: cannot open display';
      return human.answer(step, p, signal);
    });
    const { run, events } = interpreterFor(runbookFrom(INIT_AND_HAND.replace('DIR', '/x')), {
      vault,
      human: breaking,
      profile: plainProfile,
      clipboard,
    });
    expect(await run()).toMatchObject({ exitCode: 0 });
    const journal = JSON.stringify(events);
    expect(journal).toMatch(
      /could not clear Ann's unseal share 1 of 3 from the clipboard \(xsel: cannot open display\): clear it by hand/,
    );
    expect(journal).not.toMatch(/cleared from the clipboard/);
  });

  it('Given every keyholder has a PGP key, When initialized, Then Vault gets their binary keys in order, fingerprints are listed and shares are written as armored files', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const dir = mkdtempSync(join(tmpdir(), 'vr-shares-'));
    const { run, events } = interpreterFor(runbookFrom(INIT_AND_HAND.replace('DIR', dir)), {
      vault,
      profile: pgpProfile(),
      files: new LocalFiles(),
    });
    expect(await run(), JSON.stringify(events)).toMatchObject({ exitCode: 0 });
    expect(vault.lastInit?.pgpKeys).toEqual(
      gpg.keys.map((k) => readFileSync(k.binaryFile).toString('base64')),
    );
    const log = JSON.stringify(events);
    for (const k of gpg.keys) expect(log).toContain(k.fingerprint.match(/.{4}/g)!.join(' '));
    gpg.keys.forEach((k, i) => {
      const file = readFileSync(join(dir, `${k.name}.share.asc`), 'utf8');
      expect(file).toMatch(/^-----BEGIN PGP MESSAGE-----/);
      expect(Buffer.from(dearmor(Buffer.from(file))).toString()).toBe(
        `pgp:${vault.cluster.shares[i]}`,
      );
    });
  });

  it('Given share files from an earlier ceremony in the directory, When vault.init runs with PGP keys, Then it refuses before initializing (a share is never overwritten)', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const dir = mkdtempSync(join(tmpdir(), 'vr-shares-'));
    writeFileSync(join(dir, 'Ben.share.asc'), 'old');
    const rb = runbookFrom(
      INIT_AND_HAND.replace('DIR', dir).replace(
        '{ threshold: 2 }',
        `{ threshold: 2, dir: ${dir} }`,
      ),
    );
    const { run, events } = interpreterFor(rb, {
      vault,
      profile: pgpProfile(),
      files: new LocalFiles(),
    });
    expect(await run()).toMatchObject({ exitCode: 1 });
    expect(JSON.stringify(events)).toMatch(/Ben\.share\.asc already exists/);
    expect(vault.cluster.initialized).toBe(false);
  });

  it('Given a node that is already initialized, When vault.init runs (or is probed on resume), Then it refuses loudly and never re-initializes', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    await vault.init(
      vault.nodes()[0]!,
      { secretShares: 1, secretThreshold: 1 },
      AbortSignal.timeout(1000),
    );
    vault.calls.length = 0;
    const { run, events } = interpreterFor(runbookFrom(INIT_AND_HAND.replace('DIR', '/x')), {
      vault,
      profile: plainProfile,
    });
    const r = await run();
    expect(r).toMatchObject({ exitCode: 1 });
    expect(JSON.stringify(events)).toMatch(/already initialized: refusing to initialize again/);
    expect(vault.calls).not.toContain('init node-1');
    const { initAction } = await import('./init.js');
    const probe = await initAction.probe!({
      input: {},
      signal: AbortSignal.timeout(1000),
      ports: { vault } as never,
    } as never);
    expect(probe).toMatchObject({
      tookEffect: false,
      detail: expect.stringMatching(/ALREADY INITIALIZED.*lost/),
    });
  });

  it('Given keys for only some keyholders, or a share count unlike the keyholder count, When vault.init runs, Then it fails before Vault is touched', async () => {
    const cases: [Profile, string, RegExp][] = [
      [
        { ...pgpProfile(), keyholders: [...pgpProfile().keyholders!, { name: 'Dan' }] },
        '',
        /only some keyholders.*Dan/,
      ],
      [pgpProfile(), 'shares: 5, ', /names 3 keyholders but shares is 5/],
    ];
    for (const [profile, withShares, msg] of cases) {
      const vault = new FakeVault({ unsealOnInit: true });
      const rb = runbookFrom(
        INIT_AND_HAND.replace('DIR', '/x').replace(
          '{ threshold: 2 }',
          `{ ${withShares}threshold: 2 }`,
        ),
      );
      const { run, events } = interpreterFor(rb, { vault, profile, files: new LocalFiles() });
      expect(await run()).toMatchObject({ exitCode: 1 });
      expect(JSON.stringify(events)).toMatch(msg);
      expect(vault.cluster.initialized).toBe(false);
    }
  });
});

const AFTER_UNSEAL = `
id: t
title: t
steps:
  - id: init
    uses: vault.init
    with: { threshold: 2 }
  - id: audit
    uses: vault.audit-enable
    with:
      token: \${{ steps.init.outputs.root_token }}
      file_path: /var/log/vault/audit.log
  - id: operator
    uses: vault.token-create
    with:
      token: \${{ steps.init.outputs.root_token }}
      holder: HOLDER
      policy: 'path "secret/*" { capabilities = ["read"] }'
      dir: DIR
  - id: revoke
    uses: vault.revoke-self
    with:
      token: \${{ steps.init.outputs.root_token }}
`;

describe('audit device, operator credential and root revocation', () => {
  it('Given the root token in memory, When the steps run, Then audit is on, an orphan operator token is handed over on screen, and the root token no longer works', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const shown: string[] = [];
    const human = new ScriptedAnswers((_s, p): HumanAnswer => {
      if (p.type === 'instructions') return { type: 'instructions', done: true };
      if (p.type === 'handoff') {
        shown.push(p.secret.reveal());
        return { type: 'handoff', action: 'recorded' };
      }
      if (p.type === 'secret') return { type: 'secret', value: new Secret(shown[0]!.slice(-6)) };
      throw new Error(p.type);
    });
    const { run, events } = interpreterFor(
      runbookFrom(AFTER_UNSEAL.replace('HOLDER', 'Ops').replace('DIR', '/x')),
      { vault, human, profile: plainProfile },
    );
    expect(await run()).toMatchObject({ exitCode: 0 });
    expect(vault.cluster.audit.get('file')).toMatchObject({
      type: 'file',
      options: { file_path: '/var/log/vault/audit.log' },
    });
    const [root, op] = [...vault.cluster.tokens.values()];
    expect(op).toMatchObject({ policies: ['default', 'operators'], orphan: true, revoked: false });
    expect(root?.revoked).toBe(true);
    expect(shown).toEqual([op?.token]);
    const journal = JSON.stringify(events);
    expect(journal).not.toContain(root?.token);
    expect(journal).not.toContain(op?.token);
    expect(journal).toMatch(/lookup-self is refused/);
  });

  it('Given a keyholder with a PGP key receives the operator token, When created, Then it is written encrypted for gpg, never shown', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    const dir = mkdtempSync(join(tmpdir(), 'vr-token-'));
    const { run, events } = interpreterFor(
      runbookFrom(AFTER_UNSEAL.replace('HOLDER', 'Ben').replace('DIR', dir)),
      {
        vault,
        profile: pgpProfile(),
        files: new LocalFiles(),
        human: new ScriptedAnswers(() => Promise.reject(new Error('nobody should be asked'))),
      },
    );
    expect(await run()).toMatchObject({ exitCode: 0 });
    const op = [...vault.cluster.tokens.keys()][1];
    expect(await gpg.decryptFile(join(dir, 'Ben.token.asc'))).toBe(op);
    // The log names the subkey the token went to, as gpg lists it, beside Ben's fingerprint.
    const [sub] = await gpgSubkeys(gpg.keys[1]!.binaryFile);
    expect(JSON.stringify(events)).toContain(
      `token encrypted to ${gpg.keys[1]!.fingerprint} (encryption subkey ${sub!.slice(-16)})`,
    );
  });

  it('Given revoke-self that does not take, When the step verifies, Then it fails', async () => {
    const vault = new FakeVault({ unsealOnInit: true });
    vault.faults.revokeIsNoop = true;
    const rb = runbookFrom(
      AFTER_UNSEAL.replace('HOLDER', 'Ben').replace('DIR', mkdtempSync(join(tmpdir(), 'vr-'))),
    );
    const { run, events } = interpreterFor(rb, {
      vault,
      profile: pgpProfile(),
      files: new LocalFiles(),
    });
    expect(await run()).toMatchObject({ exitCode: 1 });
    expect(JSON.stringify(events)).toMatch(/still works after revoke-self/);
  });

  it('Given a resumed run whose root token was only in memory, When a step needs it, Then the error says where it went and what to do', () => {
    const r = tokenCreateAction.input.safeParse({ token: '‹redacted›', holder: 'x', policy: 'p' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/existed only in the memory.*generate-root/);
  });
});

describe('headless ceremonies', () => {
  const rb = (): ReturnType<typeof runbookFrom> => {
    const text = readFileSync(
      join(import.meta.dirname, '../../../runbooks/bootstrap-ceremony.yaml'),
      'utf8',
    );
    return runbookFrom(text);
  };
  const inputs = {
    dir: 'ceremony',
    operator: 'operator',
    operator_pgp_key: '',
    shares: '',
    threshold: 3,
  };

  it('Given keyholders without PGP keys, When checked for a headless run, Then the handoff and the operator token are named as impossible', () => {
    const p = headlessProblems(rb(), plainProfile, inputs, builtinRegistry());
    expect(p.join('\n')).toMatch(/step 'distribute'.*pipe/);
    expect(p.join('\n')).toMatch(/step 'operator'.*pipe/);
  });

  it('Given every keyholder has a key and the operator is one of them, When checked, Then the ceremony may run headless', () => {
    expect(
      headlessProblems(rb(), pgpProfile(), { ...inputs, operator: 'Ann' }, builtinRegistry()),
    ).toEqual([]);
  });

  it('Given a handoff prompt, When the headless answerer is asked, Then it refuses with a usage error instead of printing the share', async () => {
    const h = new ScriptedHuman({ distribute: 'yes' });
    await expect(
      h.ask('distribute', {
        type: 'handoff',
        message: 'm',
        holder: 'Ann',
        label: 'unseal share 1 of 3',
        secret: new Secret('abcdef0123456789'),
        proofLength: 4,
        copyable: false,
        clearAfterSeconds: 30,
      }),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
