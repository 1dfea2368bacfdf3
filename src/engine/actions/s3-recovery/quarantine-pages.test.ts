import { describe, expect, it } from 'vitest';
import { FakeAws } from '../../../test-support/fake-aws.js';
import { ctxFor } from '../../../test-support/s3-recovery-ctx.js';
import type { ObjectVersion } from '../../aws.js';
import type { RecoveryPort } from '../../recovery.js';
import { quarantineCreateAction } from './quarantine.js';

/**
 * A live bucket whose version history is too big to hold at once: listing all of it in one
 * answer is refused here, as memory would refuse it there; pages of two versions are given.
 */
class BigHistory extends FakeAws {
  override listObjectVersions(
    bucket: string,
    r: string,
    s: AbortSignal,
    prefix?: string,
  ): Promise<ObjectVersion[]> {
    if (bucket === 'data' && !prefix && !this.paging)
      return Promise.reject(new Error('the whole version history of the live bucket at once'));
    return super.listObjectVersions(bucket, r, s, prefix);
  }
  paging = false;
  override async eachObjectVersionPage(
    bucket: string,
    r: string,
    s: AbortSignal,
    onPage: (page: readonly ObjectVersion[]) => Promise<void>,
  ) {
    this.pages = 0;
    this.paging = true;
    const all = await this.listObjectVersions(bucket, r, s);
    this.paging = false;
    for (let i = 0; i < all.length; i += 2) {
      this.pages++;
      await onPage(all.slice(i, i + 2));
    }
  }
  pages = 0;
}

const noRecovery: RecoveryPort = {
  kind: 'none',
  start: () => Promise.reject(new Error('unused')),
  list: () => Promise.resolve([]),
  destroy: () => Promise.resolve({ stopped: false }),
};

describe('quarantine-create on a big bucket', () => {
  it('Given a live bucket with many versions, When the quarantine is made, Then it pages through the history and still copies every current object and the chosen version', async () => {
    const aws = new BigHistory();
    const old = aws.put('data', 'logical/u/app', 'old');
    aws.put('data', 'logical/u/app', 'new');
    for (let i = 0; i < 5; i++) {
      aws.put('data', `logical/k${i}`, `a${i}`);
      aws.put('data', `logical/k${i}`, `b${i}`);
    }
    const ctx = ctxFor({ key: 'logical/u/app', version: old }, { aws, recovery: noRecovery });
    const out = await quarantineCreateAction.run(ctx);
    const q = String(out.bucket);
    expect(out.objects).toBe(6);
    expect(aws.pages).toBeGreaterThan(1);
    expect(aws.current(q, 'logical/u/app')).toBe('old');
    for (let i = 0; i < 5; i++) expect(aws.current(q, `logical/k${i}`)).toBe(`b${i}`);
  });
});
