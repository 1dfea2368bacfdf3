import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/layout.js';
import { ROOT } from '../support/cli.js';

// For test/sandbox/s3-recovery-aws.test.ts: IAM on the sandbox's moto, and the packer render
// script run as at an instance's boot.

/** IAM on moto by its Query API (no IAM client in the tree; moto does not check signatures). */
async function iam(moto: string, params: Record<string, string>): Promise<void> {
  const r = await fetch(`${moto}/`, {
    method: 'POST',
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${SANDBOX_CREDENTIALS.accessKeyId}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (r.status !== 200) throw new Error(`IAM ${params.Action}: ${r.status} ${await r.text()}`);
}

export async function instanceProfile(moto: string, name: string): Promise<void> {
  await iam(moto, { Action: 'CreateRole', RoleName: name, AssumeRolePolicyDocument: '{}' });
  await iam(moto, { Action: 'CreateInstanceProfile', InstanceProfileName: name });
  await iam(moto, {
    Action: 'AddRoleToInstanceProfile',
    InstanceProfileName: name,
    RoleName: name,
  });
}

/**
 * packer/files/vault-render-config run on a user-data, as at the instance's boot: a fake IMDSv2
 * on loopback serves it, a fake `aws` serves a throwaway certificate as "SSM". The vault.hcl.
 */
export async function render(dir: string, userData: string): Promise<string> {
  const work = join(dir, `render-${Date.now()}`);
  mkdirSync(join(work, 'params'), { recursive: true });
  mkdirSync(join(work, 'bin'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vault.test',
    '-addext', 'subjectAltName=DNS:*.ec2.internal',
    '-keyout', join(work, 'params', 'key'), '-out', join(work, 'params', 'cert'),
  ], { stdio: 'ignore' }); // prettier-ignore
  writeFileSync(
    join(work, 'bin', 'aws'),
    '#!/usr/bin/env bash\nname=""; while [ $# -gt 0 ]; do case "$1" in --name) name=$2; shift 2 ;; *) shift ;; esac; done\n' +
      'jq -n --rawfile v "$FAKE_SSM_DIR/${name##*/}" \'{Parameter: {Value: $v}}\'\n',
  );
  chmodSync(join(work, 'bin', 'aws'), 0o755);
  const meta: Record<string, string> = {
    '/latest/user-data': userData,
    '/latest/meta-data/placement/region': 'us-east-1',
    '/latest/meta-data/instance-id': 'i-0123456789abcdef0',
    '/latest/meta-data/local-hostname': 'ip-10-0-1-17.ec2.internal',
    '/latest/meta-data/local-ipv4': '10.0.1.17',
  };
  const server: Server = createServer((req, res) => {
    const v = meta[req.url ?? ''];
    if (req.method === 'PUT') res.end('TOKEN');
    else if (req.headers['x-aws-ec2-metadata-token'] !== 'TOKEN') res.writeHead(401).end();
    else if (v === undefined) res.writeHead(404).end();
    else res.end(v);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const addr = server.address();
    const p = typeof addr === 'object' && addr ? addr.port : 0;
    const { execa } = await import('execa');
    const r = await execa('bash', [join(ROOT, 'packer', 'files', 'vault-render-config')], {
      env: {
        ...process.env,
        PATH: `${join(work, 'bin')}:${process.env.PATH ?? ''}`,
        FAKE_SSM_DIR: join(work, 'params'),
        IMDS_ENDPOINT: `http://127.0.0.1:${p}`,
        VAULT_CONF_DIR: join(work, 'etc'),
        VAULT_GROUP: execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim(),
        VAULT_PROFILE_SCRIPT: join(work, 'profile.sh'),
      },
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`vault-render-config failed: ${r.stderr}`);
    return readFileSync(join(work, 'etc', 'vault.hcl'), 'utf8');
  } finally {
    server.close();
  }
}
