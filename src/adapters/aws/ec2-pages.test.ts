import { DescribeInstancesCommand, type DescribeInstancesCommandOutput } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { describeAllInstances } from './ec2-pages.js';

/** EC2 answering from fixed pages, recording what it was asked (the real moto runs in test/sandbox). */
function pagedEc2(pages: Record<string, DescribeInstancesCommandOutput>) {
  const asked: { token: string | undefined; filters: unknown; signal: AbortSignal }[] = [];
  return {
    asked,
    send(c: DescribeInstancesCommand, o: { abortSignal: AbortSignal }) {
      asked.push({ token: c.input.NextToken, filters: c.input.Filters, signal: o.abortSignal });
      const page = pages[c.input.NextToken ?? ''];
      if (!page) return Promise.reject(new Error(`no page ${c.input.NextToken}`));
      return Promise.resolve(page);
    },
  };
}
const page = (ids: string[], next?: string): DescribeInstancesCommandOutput => ({
  $metadata: {},
  Reservations: [{ Instances: ids.map((InstanceId) => ({ InstanceId })) }],
  ...(next ? { NextToken: next } : {}),
});

describe('describeAllInstances', () => {
  it('Given three pages, the middle one empty with a token, When listed, Then every instance of every page in order, each call with the filters and the caller’s signal', async () => {
    const ec2 = pagedEc2({ '': page(['i-1', 'i-2'], 't1'), t1: page([], 't2'), t2: page(['i-3']) });
    const signal = new AbortController().signal;
    const filters = [{ Name: 'tag-key', Values: ['k'] }];
    const got = await describeAllInstances(
      ec2,
      DescribeInstancesCommand,
      { Filters: filters },
      signal,
    );
    expect(got.map((i) => i.InstanceId)).toEqual(['i-1', 'i-2', 'i-3']);
    expect(ec2.asked.map((a) => a.token)).toEqual([undefined, 't1', 't2']);
    for (const a of ec2.asked) {
      expect(a.filters).toEqual(filters);
      expect(a.signal).toBe(signal);
    }
  });

  it('Given a failing second page, When listed, Then the error is the caller’s, not a partial list', async () => {
    const ec2 = pagedEc2({ '': page(['i-1'], 'gone') });
    await expect(
      describeAllInstances(ec2, DescribeInstancesCommand, {}, new AbortController().signal),
    ).rejects.toThrow(/no page gone/);
  });
});
