import { homedir } from 'node:os';
import type { Health } from './http.js';
import { minioUrl, motoUrl, proxyUrl, s3RouterUrl, type Layout } from './layout.js';
import type { ProcRecord, SandboxState } from './state.js';

const home = homedir();
export const tilde = (p: string): string =>
  p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;

export function describeHealth(h: Health | undefined): string {
  if (!h) return 'not answering';
  const what: Record<number, string> = {
    200: 'active',
    429: 'standby',
    472: 'DR secondary',
    473: 'performance standby',
    501: 'not initialized',
    503: 'sealed',
  };
  return `${h.code} ${what[h.code] ?? 'unexpected'}`;
}

export function nodeLine(p: ProcRecord, h: Health | undefined): string {
  return `${p.name.padEnd(10)} ${(p.address ?? '').padEnd(24)} ${(p.instanceId ?? '').padEnd(20)} ${(p.az ?? '').padEnd(11)} Vault ${(h?.version ?? p.version ?? '?').padEnd(7)} ${describeHealth(h)}`;
}

/** The one screen `sandbox up` ends with: where everything is and what to do next. */
export function guide(
  l: Layout,
  s: SandboxState,
  health: ReadonlyMap<string, Health>,
  seconds: number,
): string {
  const nodes = s.processes.filter((p) => p.role === 'vault');
  const anyInit = [...health.values()].some((h) => h.initialized);
  const lines = [
    '',
    `sandbox is up: ${nodes.length} Vault node(s) answering after ${seconds.toFixed(1)} s`,
    '',
    `  profile   ${tilde(l.profileFile)}   (now the default profile)`,
    `  CA        ${tilde(s.caFile)}`,
    `  primary   ${proxyUrl(l, 'primary')}  load balancer → the active node (503 while none is)`,
    `  dr        ${proxyUrl(l, 'dr')}  (ASG ${l.regions.dr.asg} at desired 0)`,
    `  dns       ${l.recordName} → ${l.regions.primary.proxyHost} (Route 53 in moto)`,
    `  aws       moto ${motoUrl(l)} · S3 ${s3RouterUrl(l)} (MinIO ${minioUrl(l, 'primary')} primary, ${minioUrl(l, 'dr')} dr)`,
    '',
    ...nodes.map((p) => `  ${nodeLine(p, health.get(p.name))}`),
    '',
    `  export VAULT_ADDR=${proxyUrl(l, 'primary')} VAULT_CACERT=${s.caFile}`,
    `  source ${tilde(l.envFile)}   # the same, plus dummy AWS keys for moto/MinIO`,
    '',
    'next steps',
    anyInit
      ? '  vault-runbook run unseal                  # the nodes restarted sealed'
      : '  vault-runbook run bootstrap-ceremony      # init + unseal (the nodes start uninitialized)',
    '  vault-runbook status                      # nodes, ASG, replication lag',
    '  vault-runbook sandbox fault kill node-2   # the ASG brings a new sealed node',
    '  vault-runbook sandbox down [--purge]',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
