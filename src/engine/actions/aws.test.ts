import { describe, expect, it } from 'vitest';
import type { Profile } from '../../domain/schema.js';
import { interpreterFor, runbookFrom } from '../../test-support/fakes.js';
import { currentListing } from '../../test-support/fake-listing.js';
import type { AsgDescription, AwsPort, ObjectVersion } from '../aws.js';

const profile: Profile = {
  name: 'prod',
  vault: { addresses: ['https://10.0.0.1:8200'] },
  aws: {
    region: 'us-east-1',
    dr_region: 'us-west-2',
    asg: 'vault-primary',
    dr_asg: 'vault-dr',
    data_bucket: 'data-p',
    dr_data_bucket: 'data-dr',
  },
};

const v = (key: string, etag: string, at: string, latest = true): ObjectVersion => ({
  key,
  versionId: `${key}-${etag}`,
  isLatest: latest,
  lastModified: at,
  size: 10,
  etag,
  deleteMarker: false,
});

// instantClock's now is 2026-01-01T00:00:00Z (see fakes.ts)
const versionsOf = (bucket: string): ObjectVersion[] =>
  bucket === 'data-p'
    ? [
        v('core/keyring', 'k1', '2025-12-31T23:00:00Z'),
        v('logical/a', 'a2', '2025-12-31T23:59:00Z'),
        v('logical/a', 'a1', '2025-12-31T22:00:00Z', false),
        v('logical/b', 'b1', '2025-12-31T23:58:00Z'),
      ]
    : [
        v('core/keyring', 'k1', '2025-12-31T23:00:05Z'),
        v('logical/a', 'a1', '2025-12-31T22:00:05Z'),
      ];

function fakeAws(over: Partial<AwsPort> = {}): AwsPort & { calls: string[] } {
  const calls: string[] = [];
  const asg: AsgDescription = {
    name: 'vault-primary',
    desired: 3,
    min: 3,
    max: 6,
    instances: [
      { instanceId: 'i-1', az: 'us-east-1a', lifecycleState: 'InService', healthStatus: 'Healthy' },
      { instanceId: 'i-2', az: 'us-east-1b', lifecycleState: 'InService', healthStatus: 'Healthy' },
      { instanceId: 'i-3', az: 'us-east-1c', lifecycleState: 'Pending', healthStatus: 'Healthy' },
    ],
  };
  return {
    calls,
    describeAsg: (name, region) => {
      calls.push(`asg ${name} ${region}`);
      return Promise.resolve(name === 'vault-primary' ? asg : undefined);
    },
    describeInstances: () => Promise.resolve([]),
    listObjectVersions: (bucket, region) => {
      calls.push(`versions ${bucket} ${region}`);
      return Promise.resolve(versionsOf(bucket));
    },
    listObjects: (bucket, region, _s, opts) => {
      calls.push(`objects ${bucket} ${region}`);
      return Promise.resolve(currentListing(versionsOf(bucket), opts));
    },
    // The S3 recovery runbook's methods: not used by these actions.
    scaleAsg: () => Promise.reject(new Error('unused')),
    copyObjectVersion: () => Promise.reject(new Error('unused')),
    bucketExists: () => Promise.reject(new Error('unused')),
    createBucket: () => Promise.reject(new Error('unused')),
    deleteBucket: () => Promise.reject(new Error('unused')),
    eachObjectVersionPage: () => Promise.reject(new Error('unused')),
    ...over,
  };
}

const rb = (uses: string, withYaml = '{}') =>
  runbookFrom(`id: t\ntitle: T\nsteps:\n  - { id: s, uses: ${uses}, with: ${withYaml} }\n`);

describe('aws.asg-describe', () => {
  it('Given the profile ASG, When described, Then counts InService+Healthy and lists instances', async () => {
    const aws = fakeAws();
    const { run, events } = interpreterFor(rb('aws.asg-describe'), { aws, profile });
    expect(await run()).toMatchObject({ exitCode: 0 });
    expect(aws.calls).toEqual(['asg vault-primary us-east-1']);
    expect(events.find((e) => e.type === 'step-succeeded')).toMatchObject({
      outputs: { desired: 3, inService: 2, instanceIds: ['i-1', 'i-2', 'i-3'] },
    });
  });

  it('Given expect-in-service 3 and only 2 in service, Then the step fails saying so', async () => {
    const { run, events } = interpreterFor(rb('aws.asg-describe', '{ expect-in-service: 3 }'), {
      aws: fakeAws(),
      profile,
    });
    expect((await run()).exitCode).not.toBe(0);
    expect(JSON.stringify(events)).toContain('2 instance(s) in service, expected 3');
  });

  it('Given region dr, Then the DR group in the DR region is asked, and a missing group is an error', async () => {
    const aws = fakeAws();
    const { run, events } = interpreterFor(rb('aws.asg-describe', '{ region: dr }'), {
      aws,
      profile,
    });
    expect((await run()).exitCode).not.toBe(0);
    expect(aws.calls).toEqual(['asg vault-dr us-west-2']);
    expect(JSON.stringify(events)).toContain("'vault-dr' not found in us-west-2");
  });
});

describe('aws.s3-replication-status', () => {
  it('Given DR behind on two keys, Then pending keys and the lag of the oldest are reported', async () => {
    const aws = fakeAws();
    const { run, events } = interpreterFor(rb('aws.s3-replication-status'), { aws, profile });
    expect(await run()).toMatchObject({ exitCode: 0 });
    expect(aws.calls.sort()).toEqual(['objects data-dr us-west-2', 'objects data-p us-east-1']);
    expect(events.find((e) => e.type === 'step-succeeded')).toMatchObject({
      outputs: {
        objects: 3,
        drObjects: 2,
        pendingObjects: 2,
        pendingKeys: ['logical/a', 'logical/b'],
        lagSeconds: 120,
      },
    });
  });

  it('Given max-lag 1m and a 2-minute lag, Then the step fails with the figure', async () => {
    const { run, events } = interpreterFor(rb('aws.s3-replication-status', '{ max-lag: 1m }'), {
      aws: fakeAws(),
      profile,
    });
    expect((await run()).exitCode).not.toBe(0);
    expect(JSON.stringify(events)).toContain('replication lag 120 s exceeds 1m');
  });

  it('Given no AWS port, Then the step explains the profile needs an aws section', async () => {
    const { run, events } = interpreterFor(rb('aws.s3-replication-status'), { profile });
    expect((await run()).exitCode).not.toBe(0);
    expect(JSON.stringify(events)).toContain('no `aws` section');
  });
});
