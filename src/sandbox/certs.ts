import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ExitCode, VrError } from '../domain/errors.js';
import { nodeHost, recoveryHost, REGION_KEYS, type Layout } from './layout.js';

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Every address a client may reach a node by: its own, the region's proxy (the proxy terminates
 * TLS with the same certificate, as an ALB holds the listener certificate) and the Route 53 name.
 */
function subjectAltNames(l: Layout): string {
  const ips = new Set<string>(['127.0.0.1', l.host]);
  for (const r of REGION_KEYS) {
    ips.add(l.regions[r].proxyHost);
    for (let n = 1; n <= l.maxNodesPerRegion; n++) ips.add(nodeHost(l, r, n));
  }
  for (let n = 1; n <= l.maxRecoveryNodes; n++) ips.add(recoveryHost(l, n));
  return ['DNS:localhost', `DNS:${l.recordName}`, ...[...ips].map((ip) => `IP:${ip}`)].join(',');
}

async function openssl(args: string[], cwd: string, signal: AbortSignal): Promise<void> {
  const r = await execa('openssl', args, { cwd, reject: false, cancelSignal: signal });
  if (r.exitCode !== 0)
    throw new VrError(
      `openssl ${args[0] ?? ''} failed: ${String(r.stderr).trim()}`,
      ExitCode.precondition,
      ['the sandbox CA needs the openssl CLI on PATH'],
    );
}

/**
 * The sandbox CA is kept across `up`/`down` so a VAULT_CACERT the user exported stays valid;
 * the server certificate is remade when the address slot changes.
 */
export async function ensureTls(l: Layout, signal: AbortSignal): Promise<TlsFiles> {
  const dir = l.tlsDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: TlsFiles = {
    ca: join(dir, 'ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
  };
  const caKey = join(dir, 'ca-key.pem');
  if (!existsSync(files.ca) || !existsSync(caKey)) {
    await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        caKey,
        '-out',
        files.ca,
        '-days',
        '3650',
        '-subj',
        '/O=vault-runbook sandbox/CN=vault-runbook sandbox CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
      signal,
    );
  }
  const sans = subjectAltNames(l);
  const stamp = join(dir, 'server.sans');
  const current = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
  if (current !== sans || !existsSync(files.cert) || !existsSync(files.key)) {
    const csr = join(dir, 'server.csr');
    const ext = join(dir, 'server.ext');
    writeFileSync(
      ext,
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${sans}\n`,
    );
    await openssl(
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        files.key,
        '-out',
        csr,
        '-subj',
        '/O=vault-runbook sandbox/CN=vault sandbox node',
      ],
      dir,
      signal,
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        files.ca,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-out',
        files.cert,
        '-days',
        '825',
        '-extfile',
        ext,
      ],
      dir,
      signal,
    );
    writeFileSync(stamp, sans);
  }
  for (const f of [caKey, files.key]) chmodSync(f, 0o600);
  return files;
}
