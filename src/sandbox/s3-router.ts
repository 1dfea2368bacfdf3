import { PassThroughServer, passThrough } from './passthrough.js';

/**
 * A profile has one `endpoints.s3`, but each region's bucket lives on its own MinIO. This
 * routes a path-style request (/bucket/key) to the MinIO that holds the bucket, Host header
 * untouched so the SigV4 signature still verifies. A stopped MinIO (region-down) answers 503
 * here, as an unreachable S3 region would fail a client.
 */
export class S3Router extends PassThroughServer {
  constructor(
    host: string,
    port: number,
    /** bucket → MinIO base URL, or undefined while that region is down. */
    route: (bucket: string) => string | undefined,
    fallback: () => string | undefined,
  ) {
    super(host, port, (req, res) => {
      const path = req.url ?? '/';
      const bucket = decodeURIComponent(path.split('?')[0]?.split('/')[1] ?? '');
      const base = bucket ? route(bucket) : fallback();
      const fail = (why: string): void => {
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>${why}</Message><BucketName>${bucket}</BucketName></Error>\n`,
        );
      };
      if (!base) {
        fail('the S3 endpoint of this bucket’s region is unreachable');
        return;
      }
      passThrough(base, req, res, () =>
        fail('the S3 endpoint of this bucket’s region did not answer'),
      );
    });
  }
}
