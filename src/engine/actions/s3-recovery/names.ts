/**
 * The quarantine's names, made from the run id so that a resumed run finds its own quarantine
 * again. A run id is `<runbook id>-<YYYYMMDDTHHMMSS>-<6 hex>`: the time and the random suffix
 * are what make it unique, so they are always kept, and a long runbook id is shortened instead
 * (S3 allows 63 characters). Two runs must never share a bucket: one run's destroy would
 * delete the other's.
 */
const UNIQUE = /-(\d{8}t\d{6}-[0-9a-f]{6})$/;
const BUCKET_MAX = 63;

/** FNV-1a, 32 bits, as 8 hex digits: a run id of another shape keeps its whole identity. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function quarantineNames(runId: string): { bucket: string; node: string } {
  const tail = runId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const prefix = 'vault-quarantine-';
  const whole = `${prefix}${tail}`;
  let bucket = whole;
  if (whole.length > BUCKET_MAX) {
    const m = UNIQUE.exec(tail);
    // The unique end as it is, or (another shape) a hash of the whole id standing in for it.
    const unique = m ? m[1]! : fnv(tail);
    const head = (m ? tail.slice(0, m.index) : tail)
      .slice(0, BUCKET_MAX - prefix.length - unique.length - 1)
      .replace(/-+$/, '');
    bucket = `${prefix}${head}-${unique}`;
  }
  return { bucket, node: `q-${tail.slice(-24)}`.replace(/-+$/, '') };
}
