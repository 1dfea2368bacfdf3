import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/adapters/aws/clients.js';
import { AwsRecovery } from '../src/adapters/recovery-aws.js';
import { vaultFromProfile } from '../src/adapters/vault.js';
import { UsageError } from '../src/domain/errors.js';
import type { Profile } from '../src/domain/schema.js';
import { Secret } from '../src/domain/secret.js';

/**
 * The quarantine's recovery node is not in the profile's node list: its address comes from the
 * recovery port (an instance's IP or tag). Every call to it goes through the Vault client,
 * which holds any node to the profile's TLS rule, not only the listed ones.
 */
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A plain-http "node" that records what reaches it. */
async function plainNode(seen: string[]): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push(`${req.url ?? ''} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'shamir',
          initialized: true,
          sealed: true,
          t: 3,
          n: 5,
          progress: 1,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const base = (tls: Record<string, string> = {}): Profile => ({
  name: 'prod',
  vault: { addresses: ['https://127.0.0.1:8200'], tls },
  aws: { region: 'us-east-1', asg: 'prod-vault', data_bucket: 'prod-data' },
});
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

describe('recovery node: the TLS rule on every call', () => {
  it('Given an https profile without insecure_override, When a share is sent to an http:// recovery node, Then it is refused before anything is sent', async () => {
    const seen: string[] = [];
    const address = await plainNode(seen);
    const vault = vaultFromProfile(base(), {});
    const node = { name: 'recovery node q-run', address };
    const share = new Secret('aa11aa11bb22bb22');
    const err = await vault.unseal(node, share, signal()).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/not https.*insecure_override/);
    expect(err?.message).not.toContain('aa11aa11');
    await expect(vault.sealStatus(node, signal())).rejects.toBeInstanceOf(UsageError);
    await expect(
      vault.kvRead(node, new Secret('hvs.op'), { mount: 'secret', path: 'a', kv: 1 }, signal()),
    ).rejects.toBeInstanceOf(UsageError);
    expect(seen).toEqual([]);
    vault.close();
  });

  it('Given the profile loud override, When a call goes to an http:// recovery node, Then it is sent (the nodes have the same rule)', async () => {
    const seen: string[] = [];
    const address = await plainNode(seen);
    const vault = vaultFromProfile(base({ insecure_override: 'lab' }), {});
    const s = await vault.sealStatus({ name: 'recovery node q-run', address }, signal());
    expect(s.sealed).toBe(true);
    expect(seen).toHaveLength(1);
    vault.close();
  });

  it('Given a profile built in code with recovery.scheme http and no override, When the AWS recovery port is made, Then it is a usage error; with the override its kind says INSECURE', () => {
    const recovery = {
      subnet_id: 'subnet-0abc',
      instance_profile: 'vault-recovery',
      role_arn: 'arn:aws:iam::111122223333:role/vault-recovery',
      operator_cidr: '10.20.0.0/24',
      egress_cidrs: ['10.0.8.0/26'],
      scheme: 'http' as const,
    };
    const probe = () => Promise.resolve(undefined);
    const clients = new AwsClients({});
    expect(() => new AwsRecovery({ ...base(), recovery }, { clients, probe })).toThrow(
      /recovery\.scheme http .*insecure_override/,
    );
    const lab = new AwsRecovery(
      { ...base({ insecure_override: 'lab' }), recovery },
      { clients, probe },
    );
    expect(lab.kind).toMatch(/INSECURE http allowed by the profile \(lab\)/);
  });
});
