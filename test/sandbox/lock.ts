import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Vault's DynamoDB HA lock as stored (physical/dynamodb, key core/lock): who holds it, until when. */
export interface LockView {
  /** The holder's lock identity (one per Vault core). */
  readonly holder: string;
  /** When it expires unless renewed, in ms since the epoch (Vault writes UnixNano). */
  readonly expiresAt: number;
}

export async function readLock(
  client: DynamoDBClient,
  table: string,
): Promise<LockView | undefined> {
  const r = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { Path: { S: 'core' }, Key: { S: 'lock' } },
      ConsistentRead: true,
    }),
    { abortSignal: AbortSignal.timeout(5_000) },
  );
  const item = r.Item;
  if (!item?.Identity?.B || !item.Expires?.N) return undefined;
  return {
    holder: Buffer.from(item.Identity.B).toString('base64'),
    expiresAt: Number(BigInt(item.Expires.N) / 1_000_000n),
  };
}
