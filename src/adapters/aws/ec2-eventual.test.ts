import { describe, expect, it } from 'vitest';
import type { AwsClients } from './clients.js';
import { describeInstances } from './ec2.js';
import { findInstances, RECOVERY_TAG } from './recovery-ec2.js';

/**
 * EC2 as AWS answers it right after RunInstances (which moto does not reproduce): an instance
 * id it does not know yet makes `InstanceIds` fail the whole call with the SDK's
 * InvalidInstanceID.NotFound error, while a filter lists only the instances it knows.
 */
type Filter = { Name?: string; Values?: string[] };
interface Known {
  InstanceId: string;
  State: { Name: string };
  Tags: { Key: string; Value: string }[];
}

function eventualEc2(known: Known[]): AwsClients {
  const matches = (i: Known, f: Filter): boolean => {
    const v = f.Values ?? [];
    if (f.Name === 'instance-id') return v.includes(i.InstanceId);
    if (f.Name === 'instance-state-name') return v.includes(i.State.Name);
    if (f.Name === 'tag-key') return i.Tags.some((t) => v.includes(t.Key));
    if (f.Name?.startsWith('tag:'))
      return i.Tags.some((t) => t.Key === f.Name!.slice(4) && v.includes(t.Value));
    throw new Error(`filter ${f.Name} not modelled`);
  };
  const client = {
    send(cmd: { input: { InstanceIds?: string[]; Filters?: Filter[] } }) {
      const ids = cmd.input.InstanceIds ?? [];
      const unknown = ids.filter((id) => !known.some((k) => k.InstanceId === id));
      if (unknown.length > 0)
        return Promise.reject(
          Object.assign(new Error(`The instance ID '${unknown[0]}' does not exist`), {
            name: 'InvalidInstanceID.NotFound',
            Code: 'InvalidInstanceID.NotFound',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          }),
        );
      const listed = known.filter(
        (i) =>
          (ids.length === 0 || ids.includes(i.InstanceId)) &&
          (cmd.input.Filters ?? []).every((f) => matches(i, f)),
      );
      return Promise.resolve({ Reservations: [{ Instances: listed }] });
    },
  };
  return {
    ec2: async () => ({ sdk: await import('./ec2-sdk.js'), client }),
  } as unknown as AwsClients;
}

const running = (id: string, tags: Record<string, string> = {}): Known => ({
  InstanceId: id,
  State: { Name: 'running' },
  Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
});
const signal = () => AbortSignal.timeout(5_000);

describe('EC2 eventual consistency', () => {
  it('Given an ASG member EC2 does not list yet, When the members are described, Then the ones that exist come back instead of the whole call failing', async () => {
    const aws = eventualEc2([running('i-0aaa')]);
    const got = await describeInstances(aws, ['i-0aaa', 'i-0new'], 'us-east-1', signal());
    expect(got.map((i) => i.instanceId)).toEqual(['i-0aaa']);
  });

  it('Given a recovery instance just launched that EC2 does not list yet, When the start polls it by id, Then it is "not listed yet" (empty), not an error that destroys it', async () => {
    const aws = eventualEc2([running('i-0other', { [RECOVERY_TAG]: 'q-x' })]);
    await expect(
      findInstances(aws, 'us-east-1', undefined, signal(), {
        ids: ['i-0new'],
        withTerminated: true,
      }),
    ).resolves.toEqual([]);
    const later = eventualEc2([running('i-0new', { [RECOVERY_TAG]: 'q-y' })]);
    const [i] = await findInstances(later, 'us-east-1', undefined, signal(), {
      ids: ['i-0new'],
      withTerminated: true,
    });
    expect(i).toMatchObject({ instanceId: 'i-0new', state: 'running' });
  });
});
