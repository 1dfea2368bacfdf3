import type { HaLock } from '../../engine/aws.js';
import type { AwsClients } from './clients.js';

// DynamoDB: Vault's HA lock table (region failover reads who holds the lock).

export async function describeTable(
  aws: AwsClients,
  name: string,
  region: string,
  signal: AbortSignal,
): Promise<{ readonly status: string } | undefined> {
  const { sdk, client } = await aws.dynamodb(region);
  try {
    const r = await client.send(new sdk.DescribeTableCommand({ TableName: name }), {
      abortSignal: signal,
    });
    return { status: r.Table?.TableStatus ?? 'UNKNOWN' };
  } catch (err) {
    if (err instanceof sdk.ResourceNotFoundException) return undefined;
    throw err;
  }
}

export async function readHaLock(
  aws: AwsClients,
  table: string,
  region: string,
  signal: AbortSignal,
): Promise<HaLock | undefined> {
  const { sdk, client } = await aws.dynamodb(region);
  const r = await client.send(
    new sdk.GetItemCommand({
      TableName: table,
      Key: { Path: { S: 'core' }, Key: { S: 'lock' } },
      ConsistentRead: true,
    }),
    { abortSignal: signal },
  );
  const item = r.Item;
  if (!item?.Identity?.B || !item.Expires?.N) return undefined;
  const value = item.Value?.B ? Buffer.from(item.Value.B).toString('utf8') : undefined;
  return {
    holder: Buffer.from(item.Identity.B).toString('base64'),
    expiresAt: Number(BigInt(item.Expires.N) / 1_000_000n),
    ...(value && /^[\x20-\x7e]+$/.test(value) ? { value } : {}),
  };
}
