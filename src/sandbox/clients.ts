import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { minioUrl, motoUrl, SANDBOX_CREDENTIALS, type Layout, type RegionKey } from './layout.js';

/** SDK clients pointed at moto (control plane, DynamoDB) and MinIO (S3), one set per region. */
export interface RegionClients {
  readonly ec2: EC2Client;
  readonly asg: AutoScalingClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

export interface Clients {
  readonly regions: Readonly<Record<RegionKey, RegionClients>>;
  readonly route53: Route53Client;
  destroy(): void;
}

export function makeClients(l: Layout): Clients {
  const credentials = { ...SANDBOX_CREDENTIALS };
  // Local servers answer fast or not at all: one retry, so a stopped MinIO fails a loop pass quickly.
  const common = { credentials, maxAttempts: 2 };
  const moto = motoUrl(l);
  const region = (key: RegionKey): RegionClients => {
    const r = l.regions[key].region;
    return {
      ec2: new EC2Client({ ...common, region: r, endpoint: moto }),
      asg: new AutoScalingClient({ ...common, region: r, endpoint: moto }),
      dynamodb: new DynamoDBClient({ ...common, region: r, endpoint: moto }),
      elbv2: new ElasticLoadBalancingV2Client({ ...common, region: r, endpoint: moto }),
      s3: new S3Client({
        ...common,
        region: r,
        endpoint: minioUrl(l, key),
        forcePathStyle: true,
      }),
    };
  };
  const regions = { primary: region('primary'), dr: region('dr') };
  const route53 = new Route53Client({ ...common, region: 'us-east-1', endpoint: moto });
  return {
    regions,
    route53,
    destroy: () => {
      for (const r of Object.values(regions))
        for (const c of [r.ec2, r.asg, r.s3, r.dynamodb, r.elbv2]) c.destroy();
      route53.destroy();
    },
  };
}
