import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../domain/secret.js';
import { MALFORMED } from '../engine/actions/keyholder-shares.js';
import { WRONG_COMBINATION } from '../engine/root-token.js';
import type { InitResult, VaultNode, VaultPort } from '../engine/vault.js';

/**
 * What every VaultPort must do, run in `npm test` against the real Vault server
 * (test/vault-contract.test.ts) and against FakeVault (src/test-support/fake-vault.test.ts), so
 * the fake cannot drift from Vault. One uninitialized node, walked through a cluster's life in
 * order: the cases share its state.
 */
export interface VaultContractSubject {
  readonly vault: VaultPort;
  readonly node: VaultNode;
  /** A directory the server can write an audit log into. */
  readonly auditDir: string;
  stop(): Promise<void>;
}

const DUPLICATE = /already been provided/i;
const NONCE = /incorrect nonce/i;

/** The same share with one byte flipped: well-formed, but not a share of this key. */
function corrupt(share: Secret): Secret {
  const hex = share.reveal();
  const b = Buffer.from(hex, 'hex');
  b[0] = (b[0] ?? 0) ^ 0xff;
  return new Secret(b.toString('hex'));
}

async function rejection(p: Promise<unknown>): Promise<Error & { status?: number }> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { status?: number },
  );
}

export function describeVaultContract(
  name: string,
  make: () => Promise<VaultContractSubject>,
  hookTimeoutMs = 120_000,
): void {
  describe(`VaultPort contract: ${name}`, () => {
    let s: VaultContractSubject;
    let v: VaultPort;
    let node: VaultNode;
    let init: InitResult;
    let root: Secret;
    let shares: Secret[];
    const sig = (): AbortSignal => AbortSignal.timeout(15_000);

    beforeAll(async () => {
      s = await make();
      v = s.vault;
      node = s.node;
    }, hookTimeoutMs);
    afterAll(async () => {
      await s?.stop();
    });

    it('Given a new node, When health and seal status are read, Then it is 501, uninitialized and sealed', async () => {
      expect(await v.health(node, sig())).toMatchObject({
        reachable: true,
        code: 501,
        body: { initialized: false, sealed: true },
      });
      expect(await v.sealStatus(node, sig())).toMatchObject({ initialized: false, sealed: true });
    });

    it('Given init 5/3, When initialized, Then 5 shares and a root token come back and a second init is refused', async () => {
      init = await v.init(node, { secretShares: 5, secretThreshold: 3 }, sig());
      shares = [...init.keys];
      root = init.rootToken;
      expect(init.keys).toHaveLength(5);
      expect(init.keysBase64).toHaveLength(5);
      expect(JSON.stringify(init)).not.toMatch(/[0-9a-f]{40}|hvs\./);
      expect(await v.sealStatus(node, sig())).toMatchObject({
        initialized: true,
        sealed: true,
        t: 3,
        n: 5,
        progress: 0,
      });
      const err = await rejection(v.init(node, { secretShares: 1, secretThreshold: 1 }, sig()));
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/already initialized/i);
    });

    it('Given a sealed node, When a malformed, a repeated and a reset share are sent, Then progress counts each share once and reset clears it', async () => {
      const malformed = await rejection(v.unseal(node, new Secret('zz-not-a-share'), sig()));
      expect(malformed.message).toMatch(MALFORMED);
      const one = await v.unseal(node, shares[0]!, sig());
      expect(one).toMatchObject({ sealed: true, progress: 1 });
      expect(one.nonce).not.toBe('');
      expect(await v.unseal(node, shares[0]!, sig())).toMatchObject({ sealed: true, progress: 1 });
      expect(await v.unsealReset(node, sig())).toMatchObject({ sealed: true, progress: 0 });
    });

    it('Given two right shares and a wrong one, When the threshold is reached, Then Vault refuses the combination and progress starts over', async () => {
      await v.unseal(node, shares[0]!, sig());
      await v.unseal(node, shares[1]!, sig());
      const err = await rejection(v.unseal(node, corrupt(shares[2]!), sig()));
      expect(err.message).toMatch(/message authentication failed|invalid key/i);
      expect(await v.sealStatus(node, sig())).toMatchObject({ sealed: true, progress: 0 });
    });

    it('Given three right shares, When entered, Then the node unseals, answers 200 and a further share changes nothing', async () => {
      for (const k of shares.slice(2, 5)) await v.unseal(node, k, sig());
      expect(await v.sealStatus(node, sig())).toMatchObject({ sealed: false });
      expect(await v.unseal(node, shares[0]!, sig())).toMatchObject({ sealed: false });
      // A freshly unsealed node can take a moment to become active.
      let code = 0;
      for (let i = 0; i < 100 && code !== 200; i++) {
        const h = await v.health(node, sig());
        code = h.reachable ? h.code : 0;
        if (code !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(code).toBe(200);
      const leader = await v.leader(node, sig());
      if (leader.haEnabled) expect(leader).toMatchObject({ isSelf: true });
      else expect(leader.leaderAddress).toBe('');
    });

    it('Given the root token, When tokens are created, looked up and revoked, Then a revoked token and its children are refused with 403', async () => {
      expect(await v.tokenLookupSelf(node, root, sig())).toMatchObject({ policies: ['root'] });
      expect(
        (await rejection(v.tokenLookupSelf(node, new Secret('hvs.bogus'), sig()))).status,
      ).toBe(403);
      await v.policyWrite(node, root, 'ops', 'path "secret/*" { capabilities = ["read"] }', sig());
      const op = await v.tokenCreate(
        node,
        root,
        { policies: ['ops'], ttl: '1h', orphan: true },
        sig(),
      );
      expect(op.policies).toEqual(expect.arrayContaining(['ops']));
      const info = await v.tokenLookupSelf(node, op.token, sig());
      expect(info).toMatchObject({ accessor: op.accessor, orphan: true });
      expect(info.policies).toEqual(expect.arrayContaining(['default', 'ops']));
      expect(await v.tokenLookupAccessor(node, root, op.accessor, sig())).toMatchObject({
        accessor: op.accessor,
      });
      expect(await v.tokenAccessors(node, root, sig())).toEqual(
        expect.arrayContaining([
          op.accessor,
          (await v.tokenLookupSelf(node, root, sig())).accessor,
        ]),
      );
      expect((await rejection(v.tokenAccessors(node, op.token, sig()))).status).toBe(403);
      await v.tokenRevokeAccessor(node, root, op.accessor, sig());
      expect((await rejection(v.tokenLookupSelf(node, op.token, sig()))).status).toBe(403);
      expect(await v.tokenAccessors(node, root, sig())).not.toContain(op.accessor);
      expect((await rejection(v.tokenLookupAccessor(node, root, op.accessor, sig()))).status).toBe(
        400,
      );

      const parent = await v.tokenCreate(node, root, { policies: ['root'], ttl: '1h' }, sig());
      const child = await v.tokenCreate(
        node,
        parent.token,
        { policies: ['ops'], ttl: '1h' },
        sig(),
      );
      const orphan = await v.tokenCreate(
        node,
        parent.token,
        { policies: ['ops'], ttl: '1h', orphan: true },
        sig(),
      );
      await v.tokenRevokeSelf(node, parent.token, sig());
      expect((await rejection(v.tokenLookupSelf(node, parent.token, sig()))).status).toBe(403);
      expect((await rejection(v.tokenLookupSelf(node, child.token, sig()))).status).toBe(403);
      expect(await v.tokenLookupSelf(node, orphan.token, sig())).toMatchObject({ orphan: true });
      expect((await rejection(v.tokenRevokeSelf(node, parent.token, sig()))).status).toBe(403);
      // A token without the policy for it is refused.
      expect((await rejection(v.mounts(node, orphan.token, sig()))).status).toBe(403);
    });

    it('Given the root token, When mounts are listed and KV engines enabled, Then each has a type, a UUID and its KV version, and a used path is refused', async () => {
      const before = await v.mounts(node, root, sig());
      expect(before.find((m) => m.path === 'sys/')).toMatchObject({ type: 'system' });
      expect(before.find((m) => m.path === 'cubbyhole/')?.uuid).toMatch(/\S/);
      await v.mountEnable(node, root, 'kv1', { type: 'kv', version: '1' }, sig());
      await v.mountEnable(node, root, 'kv2', { type: 'kv', version: '2' }, sig());
      const after = await v.mounts(node, root, sig());
      expect(after.find((m) => m.path === 'kv1/')).toMatchObject({ type: 'kv', version: '1' });
      expect(after.find((m) => m.path === 'kv2/')).toMatchObject({ type: 'kv', version: '2' });
      expect(after.find((m) => m.path === 'kv2/')?.uuid).toMatch(/\S/);
      const err = await rejection(v.mountEnable(node, root, 'kv1', { type: 'kv' }, sig()));
      expect(err.status).toBe(400);
    });

    it('Given a live token, When a journal seal is written, Then the path carries the hash and a dead token is refused', async () => {
      const hash = 'cd'.repeat(32);
      const r = await v.journalSeal(node, root, 'contract-run', hash, sig());
      expect(r.path).toBe(`cubbyhole/vault-runbook/journal/contract-run/${hash}`);
      const err = await rejection(
        v.journalSeal(node, new Secret('hvs.not-a-live-token-000000'), 'contract-run', hash, sig()),
      );
      expect(err.status).toBe(403);
    });

    it('Given KV v1 and v2 mounts, When secrets are written and read, Then values come back as Secrets, v2 keeps versions and a stale check-and-set is refused', async () => {
      const one = { mount: 'kv1', path: 'app/db', kv: 1 as const };
      expect(await v.kvRead(node, root, one, sig())).toBeUndefined();
      await v.kvWrite(node, root, one, { password: new Secret('p1'), user: 'app' }, sig());
      const r1 = await v.kvRead(node, root, one, sig());
      expect(r1?.data.password?.reveal()).toBe('p1');
      expect(JSON.stringify(r1)).not.toContain('p1');

      const two = { mount: 'kv2', path: 'app/db', kv: 2 as const };
      // A new KV v2 mount upgrades its storage first and refuses writes for a moment.
      let w1: { version?: number } | undefined;
      for (let i = 0; i < 100 && !w1; i++)
        w1 = await v.kvWrite(node, root, two, { password: 'v1' }, sig()).catch(async () => {
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        });
      expect(w1).toEqual({ version: 1 });
      expect(await v.kvWrite(node, root, two, { password: 'v2' }, sig(), 1)).toEqual({
        version: 2,
      });
      expect(
        (await rejection(v.kvWrite(node, root, two, { password: 'x' }, sig(), 1))).status,
      ).toBe(400);
      const latest = await v.kvRead(node, root, two, sig());
      expect(latest?.version).toBe(2);
      expect(latest?.data.password?.reveal()).toBe('v2');
      expect((await v.kvRead(node, root, two, sig(), 1))?.data.password?.reveal()).toBe('v1');
      const meta = await v.kvMetadata(node, root, { mount: 'kv2', path: 'app/db' }, sig());
      expect(meta?.currentVersion).toBe(2);
      expect(meta?.versions.map((x) => x.version)).toEqual([1, 2]);
      expect(await v.kvMetadata(node, root, { mount: 'kv2', path: 'none' }, sig())).toBeUndefined();
      expect(await v.kvRead(node, root, { ...two, path: 'none' }, sig())).toBeUndefined();
    });

    it('Given a KV v2 secret at v1 and v2, When the latest is deleted, undeleted and v1 destroyed, Then metadata tells each state and only the undeleted one reads again', async () => {
      const at = { mount: 'kv2', path: 'app/db' };
      const two = { ...at, kv: 2 as const };
      await v.kvDelete(node, root, at, sig());
      expect(await v.kvRead(node, root, two, sig())).toBeUndefined();
      let meta = await v.kvMetadata(node, root, at, sig());
      expect(meta?.currentVersion).toBe(2);
      expect(meta?.versions.find((x) => x.version === 2)?.deletionTime).toMatch(/^\d{4}-/);
      expect(meta?.versions.find((x) => x.version === 1)).toMatchObject({
        deletionTime: '',
        destroyed: false,
      });
      await v.kvUndelete(node, root, at, [2], sig());
      expect((await v.kvRead(node, root, two, sig()))?.data.password?.reveal()).toBe('v2');
      await v.kvDestroy(node, root, at, [1], sig());
      await v.kvUndelete(node, root, at, [1], sig());
      meta = await v.kvMetadata(node, root, at, sig());
      expect(meta?.versions.map((x) => [x.version, x.destroyed, x.deletionTime])).toEqual([
        [1, true, ''],
        [2, false, ''],
      ]);
      expect(await v.kvRead(node, root, two, sig(), 1)).toBeUndefined();
      await v.kvDelete(node, root, at, sig(), [2]);
      expect(await v.kvRead(node, root, two, sig())).toBeUndefined();
      await v.kvUndelete(node, root, at, [2], sig());
      expect((await rejection(v.kvUndelete(node, root, at, [], sig()))).status).toBe(400);
    });

    it('Given a file audit device, When enabled and asked for a hash, Then it is listed and the same input hashes the same way', async () => {
      expect(await v.auditDevices(node, root, sig())).toEqual([]);
      const file = join(s.auditDir, 'audit.log');
      await v.auditEnableFile(node, root, 'file', file, sig());
      const devices = await v.auditDevices(node, root, sig());
      expect(devices.map((d) => [d.path, d.type, d.options.file_path])).toEqual([
        ['file/', 'file', file],
      ]);
      const a = await v.auditHash(node, root, 'file', 'run r1 hash abc', sig());
      expect(a).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(await v.auditHash(node, root, 'file', 'run r1 hash abc', sig())).toBe(a);
      expect(await v.auditHash(node, root, 'file', 'run r1 hash abd', sig())).not.toBe(a);
    });

    it('Given an OTP generate-root attempt, When shares go in with wrong nonces, duplicates and a wrong combination, Then Vault refuses each the documented way and the right shares make a root token', async () => {
      expect(await v.generateRootStatus(node, sig())).toMatchObject({ started: false });
      const { status, otp } = await v.generateRootStart(node, { kind: 'otp' }, sig());
      expect(otp).toBeDefined();
      expect(status).toMatchObject({ started: true, progress: 0, required: 3 });
      expect((await rejection(v.generateRootStart(node, { kind: 'otp' }, sig()))).status).toBe(400);
      expect(
        (await rejection(v.generateRootUpdate(node, shares[0]!, 'not-the-nonce', otp, sig())))
          .message,
      ).toMatch(NONCE);
      expect(
        (await rejection(v.generateRootUpdate(node, new Secret('zz'), status.nonce, otp, sig())))
          .message,
      ).toMatch(MALFORMED);
      expect(await v.generateRootUpdate(node, shares[0]!, status.nonce, otp, sig())).toMatchObject({
        progress: 1,
        complete: false,
      });
      expect(
        (await rejection(v.generateRootUpdate(node, shares[0]!, status.nonce, otp, sig()))).message,
      ).toMatch(DUPLICATE);
      await v.generateRootUpdate(node, shares[1]!, status.nonce, otp, sig());
      expect(
        (await rejection(v.generateRootUpdate(node, corrupt(shares[2]!), status.nonce, otp, sig())))
          .message,
      ).toMatch(WRONG_COMBINATION);
      expect(await v.generateRootStatus(node, sig())).toMatchObject({ progress: 0 });
      await v.generateRootCancel(node, sig());
      expect(await v.generateRootStatus(node, sig())).toMatchObject({ started: false });

      const again = await v.generateRootStart(node, { kind: 'otp' }, sig());
      let last: Awaited<ReturnType<VaultPort['generateRootUpdate']>> | undefined;
      for (const k of shares.slice(0, 3))
        last = await v.generateRootUpdate(node, k, again.status.nonce, again.otp, sig());
      expect(last).toMatchObject({ complete: true });
      const token = last && 'token' in last ? last.token : undefined;
      expect(token).toBeDefined();
      expect(await v.tokenLookupSelf(node, token!, sig())).toMatchObject({ policies: ['root'] });
      await v.tokenRevokeSelf(node, token!, sig());
      expect(await v.generateRootStatus(node, sig())).toMatchObject({ started: false });
    });

    it('Given a rekey to 3/2, When the old shares go in, Then new shares come back, the old ones no longer combine and the new ones do', async () => {
      expect(await v.rekeyStatus(node, sig())).toMatchObject({ started: false });
      const started = await v.rekeyStart(node, { shares: 3, threshold: 2 }, sig());
      expect(started).toMatchObject({ started: true, t: 2, n: 3, required: 3, progress: 0 });
      expect(
        (await rejection(v.rekeyUpdate(node, shares[0]!, 'not-the-nonce', sig()))).message,
      ).toMatch(NONCE);
      await v.rekeyUpdate(node, shares[0]!, started.nonce, sig());
      expect(
        (await rejection(v.rekeyUpdate(node, shares[0]!, started.nonce, sig()))).message,
      ).toMatch(DUPLICATE);
      await v.rekeyUpdate(node, shares[1]!, started.nonce, sig());
      const done = await v.rekeyUpdate(node, shares[2]!, started.nonce, sig());
      expect(done).toMatchObject({ complete: true });
      const fresh = 'keys' in done ? [...done.keys] : [];
      expect(fresh).toHaveLength(3);
      expect(await v.rekeyStatus(node, sig())).toMatchObject({ started: false });

      // The new threshold (2) applies at once: two old shares reach it and do not combine.
      const old = await v.generateRootStart(node, { kind: 'otp' }, sig());
      expect(old.status.required).toBe(2);
      await v.generateRootUpdate(node, shares[0]!, old.status.nonce, old.otp, sig());
      expect(
        (await rejection(v.generateRootUpdate(node, shares[1]!, old.status.nonce, old.otp, sig())))
          .message,
      ).toMatch(WRONG_COMBINATION);
      await v.generateRootCancel(node, sig());
      shares = fresh;
      const ok = await v.generateRootStart(node, { kind: 'otp' }, sig());
      await v.generateRootUpdate(node, shares[0]!, ok.status.nonce, ok.otp, sig());
      const made = await v.generateRootUpdate(node, shares[1]!, ok.status.nonce, ok.otp, sig());
      expect(made && 'token' in made && made.token).toBeTruthy();
      if ('token' in made && made.token) await v.tokenRevokeSelf(node, made.token, sig());
    });

    it('Given a rekey with verification, When a wrong new share is verified, Then the nonce changes, and only the right new shares put them in force', async () => {
      const started = await v.rekeyStart(
        node,
        { shares: 2, threshold: 2, requireVerification: true },
        sig(),
      );
      await v.rekeyUpdate(node, shares[0]!, started.nonce, sig());
      const done = await v.rekeyUpdate(node, shares[1]!, started.nonce, sig());
      const pending = 'keys' in done ? done : undefined;
      expect(pending?.verificationNonce).toMatch(/\S/);
      const next = [...(pending?.keys ?? [])];
      const vs = await v.rekeyVerifyStatus(node, sig());
      expect(vs).toMatchObject({ nonce: pending?.verificationNonce, t: 2, progress: 0 });
      await v.rekeyVerifyUpdate(node, next[0]!, vs.nonce, sig());
      const err = await rejection(v.rekeyVerifyUpdate(node, corrupt(next[1]!), vs.nonce, sig()));
      expect(err.message).toMatch(WRONG_COMBINATION);
      const vs2 = await v.rekeyVerifyStatus(node, sig());
      expect(vs2.nonce).not.toBe(vs.nonce);
      expect(vs2.progress).toBe(0);
      await v.rekeyVerifyUpdate(node, next[0]!, vs2.nonce, sig());
      expect(await v.rekeyVerifyUpdate(node, next[1]!, vs2.nonce, sig())).toEqual({
        complete: true,
      });
      expect((await rejection(v.rekeyVerifyStatus(node, sig()))).status).toBe(400);
      shares = next;

      const cancelled = await v.rekeyStart(node, { shares: 2, threshold: 2 }, sig());
      await v.rekeyUpdate(node, shares[0]!, cancelled.nonce, sig());
      await v.rekeyCancel(node, sig());
      expect(await v.rekeyStatus(node, sig())).toMatchObject({ started: false });
    });

    it('Given the root token, When the node is sealed, Then health is 503, authenticated calls are refused and the shares unseal it again', async () => {
      const op = await v.tokenCreate(node, root, { policies: ['ops'], ttl: '1h' }, sig());
      expect((await rejection(v.seal(node, op.token, sig()))).status).toBe(403);
      await v.seal(node, root, sig());
      expect(await v.health(node, sig())).toMatchObject({ reachable: true, code: 503 });
      expect((await rejection(v.mounts(node, root, sig()))).status).toBe(503);
      expect((await rejection(v.generateRootStatus(node, sig()))).status).toBe(503);
      for (const k of shares) await v.unseal(node, k, sig());
      expect(await v.sealStatus(node, sig())).toMatchObject({ sealed: false });
    });
  });
}
