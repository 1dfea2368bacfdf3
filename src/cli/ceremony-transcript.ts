import type { ParsedLine } from '../adapters/journal.js';

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
function list(v: unknown): Rec[] {
  return Array.isArray(v) ? v.map(rec) : [];
}
function grouped(fpr: string): string {
  return fpr.match(/.{1,4}/g)?.join(' ') ?? fpr;
}

/**
 * The key ceremony at a glance, from the journal alone (the same outputs the steps journaled,
 * secrets already ‹redacted›): the init, who holds which share index and when they received
 * it, each unseal entry, the audit device, the first operator credential and the root
 * token's revocation. Empty for runs that are not a ceremony.
 */
export function ceremonySummary(lines: readonly ParsedLine[]): string[] {
  const out: string[] = [];
  const entries = new Map<string, { time: string; by: string }[]>();
  let running = '';
  let done = '';
  let ceremony = false;
  for (const l of lines) {
    const r = l.record;
    if (!r) continue;
    const e = r.event;
    if (e.type === 'human-answered' && e.answer === '‹redacted›')
      entries.set(e.stepId, [...(entries.get(e.stepId) ?? []), { time: r.time, by: e.by }]);
    if (e.type === 'step-started') {
      running = e.stepId;
      // Entries of an attempt that died with the process do not count towards the new one.
      entries.delete(e.stepId);
    }
    if (e.type === 'run-resumed' && ceremony)
      out.push(
        `${r.time}  the process was interrupted ${running ? `during step ${running}` : `after step ${done}`}; resumed by ${e.by}`,
      );
    if (e.type === 'step-skipped') done = e.stepId;
    if (e.type !== 'step-succeeded') continue;
    running = '';
    done = e.stepId;
    const o = rec(e.outputs);
    if (typeof o.threshold === 'number' && 'initialized_at' in o) {
      ceremony = true;
      out.push(
        `${str(o.initialized_at)}  ${str(o.node)} initialized: ${str(o.shares)} shares, any ${str(o.threshold)} unseal${o.pgp === true ? ', each encrypted to its keyholder’s PGP key' : ''}`,
      );
      for (const h of list(o.keyholders))
        out.push(
          `    share ${str(h.index)}  ${str(h.name)}${h.fingerprint ? `  ${grouped(str(h.fingerprint))}` : ''}`,
        );
      if (str(o.root_accessor)) out.push(`    initial root token accessor ${str(o.root_accessor)}`);
    } else if (Array.isArray(o.policies) && typeof o.accessor === 'string' && !('nonce' in o)) {
      out.push(`${r.time}  initial root token accessor recorded: ${o.accessor}`);
    } else if (typeof o.nonce === 'string' && typeof o.accessor === 'string') {
      for (const [i, x] of (entries.get(e.stepId) ?? []).entries())
        out.push(`${x.time}  generate-root share ${i + 1} typed at ${x.by}'s terminal`);
      out.push(
        `${r.time}  new root token made by the keyholders (generate-root nonce ${o.nonce}, accessor ${o.accessor})`,
      );
    } else if ((o.mode === 'pgp' || o.mode === 'plain') && Array.isArray(o.holders)) {
      for (const h of list(o.holders))
        out.push(
          o.mode === 'pgp'
            ? `${str(h.at)}  share ${str(h.index)} written for ${str(h.name)}: ${str(h.file)}`
            : `${str(h.at)}  share ${str(h.index)} shown to ${str(h.name)}, who proved they recorded it`,
        );
    } else if (typeof o.entries === 'number' && Array.isArray(o.unsealed)) {
      for (const [i, x] of (entries.get(e.stepId) ?? []).entries())
        out.push(`${x.time}  unseal entry ${i + 1} typed at ${x.by}'s terminal`);
      out.push(`${r.time}  unsealed: ${(o.unsealed as unknown[]).map(str).join(', ')}`);
    } else if (o.type === 'file' && typeof o.file_path === 'string') {
      out.push(`${r.time}  audit device ${str(o.path)}/ → ${o.file_path}`);
    } else if (typeof o.accessor === 'string' && typeof o.delivered === 'string') {
      out.push(
        `${r.time}  operator token for ${str(o.holder)} (policy ${str(o.policy)}, accessor ${o.accessor}) ${o.delivered === 'file' ? `written encrypted to ${str(o.file)}` : 'shown once on screen'}`,
      );
    } else if (o.revoked === true) {
      const at = str(o.at) || r.time;
      for (const x of list(o.lost_roots_revoked))
        out.push(
          `${at}  lost root token ${str(x.accessor)} revoked (${str(x.source) === 'journal' ? 'accessor from the journal' : str(x.source)}; lookup-accessor refused)`,
        );
      out.push(
        `${at}  ${str(o.what) || 'initial root token'} revoked${o.accessor ? ` (accessor ${str(o.accessor)})` : ''} (lookup-self refused)`,
      );
    }
  }
  return out.length ? ['', 'Ceremony', ...out.map((l) => `  ${l}`)] : [];
}
