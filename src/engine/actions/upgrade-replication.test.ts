import { describe, expect, it } from 'vitest';
import type { Profile } from '../../domain/schema.js';
import { FakeAws } from '../../test-support/fake-aws.js';
import { interpreterFor, runbookFrom } from '../../test-support/fakes.js';
import type { AwsPort } from '../aws.js';

const profile = {
  name: 'prod',
  vault: { addresses: ['https://10.0.0.1:8200'] },
  aws: { region: 'us-east-1', data_bucket: 'data', dr_data_bucket: 'data-dr' },
} as unknown as Profile;

/** FakeAws with the upgrade port's methods (not used by this check) and its S3 listings logged. */
function upgradeAws(fake: FakeAws): { aws: AwsPort; calls: string[] } {
  const calls: string[] = [];
  const unused = () => Promise.reject(new Error('unused'));
  const aws = Object.assign(Object.create(fake) as AwsPort, {
    bucketVersioning: unused,
    launchTemplate: unused,
    createLaunchTemplateVersion: unused,
    terminateInAsg: unused,
    describeImages: unused,
    imagesForVersion: unused,
    listObjects: (b: string, r: string, s: AbortSignal, o?: { maxKeys?: number }) => {
      calls.push(`objects ${b}`);
      return fake.listObjects(b, r, s, o);
    },
    listObjectVersions: (b: string, r: string, s: AbortSignal, p?: string) => {
      calls.push(`versions ${b}`);
      return fake.listObjectVersions(b, r, s, p);
    },
  });
  return { aws, calls };
}

describe('upgrade.check replication', () => {
  it('Given a key rewritten many times and one write not yet in DR, When checked, Then it reads current objects only and counts the one pending write', async () => {
    const fake = new FakeAws();
    for (let i = 0; i < 200; i++) {
      fake.put('data', 'core/lock', `w${i}`);
      fake.put('data-dr', 'core/lock', `w${i}`);
    }
    fake.put('data', 'logical/a', 'new');
    const { aws, calls } = upgradeAws(fake);
    const rb = runbookFrom(
      'id: t\ntitle: T\nsteps:\n  - { id: s, uses: upgrade.check, with: { check: replication } }\n',
    );
    const { run, events } = interpreterFor(rb, { aws, profile });
    expect(await run()).toMatchObject({ exitCode: 0 });
    expect(calls.sort()).toEqual(['objects data', 'objects data-dr']);
    expect(JSON.stringify(events)).toContain('data → data-dr: 1 object(s) pending');
  });
});
