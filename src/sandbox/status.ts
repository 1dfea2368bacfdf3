import { existsSync, readFileSync } from 'node:fs';
import type { Io } from '../app/io.js';
import { nodeLine, tilde } from './guide.js';
import { vaultHealth, type Health } from './http.js';
import { layout } from './layout.js';
import { stillOurs } from './down.js';
import { readState, type SandboxState } from './state.js';
import { supervisorAlive } from './up.js';

/** `sandbox status`: what runs (pids, addresses, versions, health), as text or one JSON document. */
export async function sandboxStatus(
  io: Io,
  opts: { json: boolean },
  signal: AbortSignal,
): Promise<void> {
  const l = layout(io.env);
  const s = readState(l.stateFile);
  const running = s !== undefined && supervisorAlive(s);
  if (!s || !running) {
    if (opts.json)
      io.stdout.write(`${JSON.stringify({ running: false, phase: s?.phase ?? 'down' })}\n`);
    else io.stdout.write(`sandbox: not running${s ? ` (last phase: ${s.phase})` : ''}\n`);
    return;
  }
  const ca = existsSync(s.caFile) ? readFileSync(s.caFile) : undefined;
  const health = new Map<string, Health | undefined>();
  await Promise.all(
    s.processes
      .filter((p) => p.role === 'vault' && p.address)
      .map(async (p) =>
        health.set(p.name, ca ? await vaultHealth(p.address ?? '', ca, signal) : undefined),
      ),
  );
  if (opts.json) {
    io.stdout.write(
      `${JSON.stringify({
        running: true,
        phase: s.phase,
        slot: s.slot,
        startedAt: s.startedAt,
        profile: s.profileFile,
        caFile: s.caFile,
        dataDir: s.dataDir,
        defaultVersion: s.defaultVersion,
        processes: s.processes.map((p) => ({
          ...p,
          running: stillOurs(p),
          ...(health.has(p.name) ? { health: health.get(p.name) ?? null } : {}),
        })),
        proxies: s.proxies,
        faults: s.faults,
        replication: s.replication,
        regions: s.regions,
        dns: s.dns,
        amis: s.amis,
        resources: s.resources,
      })}\n`,
    );
    return;
  }
  const out = [
    `sandbox: ${s.phase}, since ${s.startedAt} (profile ${tilde(s.profileFile)})`,
    '',
    'processes',
    ...s.processes
      .filter((p) => p.role !== 'vault')
      .map(
        (p) =>
          `  ${p.name.padEnd(14)} pid ${String(p.pid).padEnd(8)} ${(p.address ?? '').padEnd(26)} ${stillOurs(p) ? 'running' : 'GONE'}`,
      ),
    '',
    'vault nodes',
    ...s.processes
      .filter((p) => p.role === 'vault')
      .map((p) => `  ${nodeLine(p, health.get(p.name))}  pid ${p.pid}`),
    '',
    'load balancers',
    ...s.proxies.map(
      (p) =>
        `  ${p.region.padEnd(8)} ${p.address}  ${p.listening ? `→ ${p.active ?? 'no active node (503)'}` : 'DOWN'}`,
    ),
  ];
  out.push(...regionLines(s));
  const r = s.replication;
  if (r)
    out.push(
      '',
      `replication primary → dr (emulated CRR): ${r.paused ? `PAUSED (${r.paused}), ` : ''}lag setting ${r.lagSetting} s, ${r.pendingVersions} version(s) pending (oldest ${r.oldestPendingSeconds} s), ${r.copiedVersions} copied${r.error ? `, error: ${r.error}` : ''}`,
    );
  const f = s.faults;
  const broken = f.brokenImages ?? [];
  if (f.regionDown || f.downAzs.length || broken.length)
    out.push(
      '',
      `faults: ${[f.regionDown ? `primary region down${f.apisDown ? ' (its AWS APIs too)' : ''}` : '', ...f.downAzs.map((a) => `${a} down`), ...broken.map((b) => `broken image ${b}`)].filter(Boolean).join(', ')}`,
    );
  io.stdout.write(`${out.join('\n')}\n`);
}

/** Both regions (ASG, bucket, lock table, up or down) and where the DNS record points. */
export function regionLines(s: SandboxState): string[] {
  const out: string[] = [];
  if (s.regions) {
    out.push('', 'regions');
    for (const [k, g] of Object.entries(s.regions))
      out.push(
        `  ${k.padEnd(8)} ${g.region.padEnd(10)} ${g.up ? 'up  ' : 'DOWN'}  asg ${g.asg} desired ${g.desired ?? '?'} (${g.members ?? '?'} in group), bucket ${g.bucket}, lock table ${g.lockTable}`,
      );
  }
  const d = s.dns;
  if (d)
    out.push(
      '',
      `dns      ${d.name} → ${d.values.join(', ') || '(no record)'}${d.region ? ` = the ${d.region} load balancer` : ''}${d.error ? ` (last read failed: ${d.error})` : ''}`,
    );
  return out;
}
