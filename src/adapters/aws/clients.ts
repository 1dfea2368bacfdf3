// The SDK clients are loaded when first used: importing them costs more than a second of
// start-up (the EC2 client alone about a quarter of one), which every command would pay even
// without an AWS profile. Each service's module is imported with its first call and kept.
import type * as AutoScaling from '@aws-sdk/client-auto-scaling';
import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type * as EC2 from '@aws-sdk/client-ec2';
import type * as Route53 from '@aws-sdk/client-route-53';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Ec2Sdk from './ec2-sdk.js';

type Service = 'ec2' | 'autoscaling' | 's3' | 'dynamodb' | 'route53';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

interface ClientConfig {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts: number;
  credentials?: Credentials;
  requestHandler: AwsTimeouts & { throwOnRequestTimeout: boolean };
}

/**
 * Deadlines for every AWS call (the SDK has none by default): an endpoint that accepts and
 * never answers costs one timeout per attempt, not a step that hangs until someone presses
 * Ctrl-C.
 */
export interface AwsTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}
export const AWS_TIMEOUTS: AwsTimeouts = { connectionTimeout: 5_000, requestTimeout: 30_000 };

/** A client with the SDK module it came from (the module's Command classes go with it). */
export interface Client<M, C> {
  readonly sdk: M;
  readonly client: C;
}

export type Ec2 = Client<typeof Ec2Sdk, EC2.EC2Client>;
export type Asg = Client<typeof AutoScaling, AutoScaling.AutoScalingClient>;
export type S3c = Client<typeof S3, S3.S3Client>;
export type Ddb = Client<typeof DynamoDB, DynamoDB.DynamoDBClient>;
export type R53 = Client<typeof Route53, Route53.Route53Client>;

/**
 * Clients per service and region. Credentials come from the standard chain (AWS_PROFILE, env,
 * SSO, instance role) unless fixed keys are given; a profile's `endpoints` override where each
 * service is reached (the sandbox points them at moto and MinIO on loopback).
 */
export class AwsClients {
  readonly #clients = new Map<string, Promise<unknown>>();

  constructor(
    readonly endpoints: Readonly<Record<string, string>> = {},
    readonly credentials?: Credentials,
    readonly timeouts: AwsTimeouts = AWS_TIMEOUTS,
  ) {}

  #config(service: Service, region: string): ClientConfig {
    const endpoint = this.endpoints[service];
    return {
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(service === 's3' && endpoint ? { forcePathStyle: true } : {}),
      maxAttempts: 2,
      // Without throwOnRequestTimeout the SDK only logs a warning when the deadline passes.
      requestHandler: { ...this.timeouts, throwOnRequestTimeout: true },
      ...(this.credentials ? { credentials: { ...this.credentials } } : {}),
    };
  }

  #get<T>(key: string, make: () => Promise<T>): Promise<T> {
    let c = this.#clients.get(key) as Promise<T> | undefined;
    if (!c) {
      c = make();
      // A failed import or construction is not kept: the next call tries again.
      c.catch(() => this.#clients.delete(key));
      this.#clients.set(key, c);
    }
    return c;
  }

  ec2(region: string): Promise<Ec2> {
    return this.#get(`ec2:${region}`, async () => {
      const sdk = await import('./ec2-sdk.js');
      return { sdk, client: new sdk.EC2Client(this.#config('ec2', region)) };
    });
  }

  autoscaling(region: string): Promise<Asg> {
    return this.#get(`asg:${region}`, async () => {
      const sdk = await import('@aws-sdk/client-auto-scaling');
      return { sdk, client: new sdk.AutoScalingClient(this.#config('autoscaling', region)) };
    });
  }

  s3(region: string): Promise<S3c> {
    return this.#get(`s3:${region}`, async () => {
      const sdk = await import('@aws-sdk/client-s3');
      return { sdk, client: new sdk.S3Client(this.#config('s3', region)) };
    });
  }

  dynamodb(region: string): Promise<Ddb> {
    return this.#get(`ddb:${region}`, async () => {
      const sdk = await import('@aws-sdk/client-dynamodb');
      return { sdk, client: new sdk.DynamoDBClient(this.#config('dynamodb', region)) };
    });
  }

  /** Route 53 is global; its API lives in us-east-1. */
  route53(): Promise<R53> {
    return this.#get('route53', async () => {
      const sdk = await import('@aws-sdk/client-route-53');
      return { sdk, client: new sdk.Route53Client(this.#config('route53', 'us-east-1')) };
    });
  }
}
