import { describe, expect, it } from 'vitest';
import { columnWidths, NODE_HEADERS, nodeCells, visibleColumns } from './format.js';

const node = {
  name: 'node-1',
  instanceId: 'i-568036baddc5cbc27',
  az: 'us-east-1a',
  ami: 'ami-ab0b2383bebd68f73',
  version: '1.14.6',
  reachable: true,
  initialized: true,
  sealed: true,
  progress: 1,
  t: 3,
  role: 'unknown',
  healthCode: 503,
} as const;

describe('status columns', () => {
  const widths = columnWidths([nodeCells(node as never)], NODE_HEADERS);
  const names = (keep: number[]) => keep.map((i) => NODE_HEADERS[i]);

  it('Given a wide terminal, When the columns are chosen, Then all of them show', () => {
    expect(names(visibleColumns(widths, NODE_HEADERS, 200))).toEqual(NODE_HEADERS);
  });

  it('Given an 80-column terminal, When the columns are chosen, Then AMI and instance go first and seal, HA role and health stay', () => {
    const keep = names(visibleColumns(widths, NODE_HEADERS, 76));
    expect(keep).not.toContain('AMI');
    expect(keep).toEqual(expect.arrayContaining(['node', 'seal', 'HA role', 'health']));
    const used = visibleColumns(widths, NODE_HEADERS, 76)
      .map((i) => widths[i] ?? 0)
      .reduce((a, b) => a + b + 2, -2);
    expect(used).toBeLessThanOrEqual(76);
  });

  it('Given a very narrow terminal, When the columns are chosen, Then node, seal and HA role are never dropped', () => {
    expect(names(visibleColumns(widths, NODE_HEADERS, 10))).toEqual(['node', 'seal', 'HA role']);
  });
});
