import { describe, expect, it } from 'vitest';
import { quarantineNames } from './names.js';

const S3_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const NODE = /^[a-z0-9][a-z0-9-]{0,30}$/;

describe('quarantine names', () => {
  it('Given two runs of a runbook whose id is 60 characters, When named, Then each bucket is a valid S3 name that keeps its run time and random suffix, and they differ', () => {
    const id = `r${'x'.repeat(58)}y`;
    expect(id).toHaveLength(60);
    const a = quarantineNames(`${id}-20261129T115237-abcdef`);
    const b = quarantineNames(`${id}-20261129T115237-123456`);
    const c = quarantineNames(`${id}-20261129T115238-abcdef`);
    for (const n of [a, b, c]) {
      expect(n.bucket).toMatch(S3_BUCKET);
      expect(n.bucket.length).toBeLessThanOrEqual(63);
      expect(n.node).toMatch(NODE);
    }
    expect(a.bucket).toMatch(/^vault-quarantine-rx+-20261129t115237-abcdef$/);
    expect(new Set([a.bucket, b.bucket, c.bucket]).size).toBe(3);
    expect(new Set([a.node, b.node, c.node]).size).toBe(3);
  });

  it('Given a short run id, When named, Then the bucket is the whole id (a resumed run finds it again)', () => {
    const id = 's3-secret-recovery-20261129T115237-abcdef';
    expect(quarantineNames(id)).toEqual({
      bucket: 'vault-quarantine-s3-secret-recovery-20261129t115237-abcdef',
      node: 'q-y-20261129t115237-abcdef',
    });
    expect(quarantineNames(id)).toEqual(quarantineNames(id));
  });

  it('Given long ids of another shape that differ only at the end, When named, Then the buckets still differ and are valid', () => {
    const a = quarantineNames(`${'z'.repeat(70)}-one`);
    const b = quarantineNames(`${'z'.repeat(70)}-two`);
    expect(a.bucket).toMatch(S3_BUCKET);
    expect(b.bucket).toMatch(S3_BUCKET);
    expect(a.bucket).not.toBe(b.bucket);
  });
});
