import { createServer, request, type Server } from 'node:http';

/**
 * A profile has one `endpoints.s3`, but each region's bucket lives on its own MinIO. This
 * routes a path-style request (/bucket/key) to the MinIO that holds the bucket, Host header
 * untouched so the SigV4 signature still verifies. A stopped MinIO (region-down) answers 503
 * here, as an unreachable S3 region would fail a client.
 */
export class S3Router {
  #server: Server | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    /** bucket → MinIO base URL, or undefined while that region is down. */
    private readonly route: (bucket: string) => string | undefined,
    private readonly fallback: () => string | undefined,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const path = req.url ?? '/';
      const bucket = decodeURIComponent(path.split('?')[0]?.split('/')[1] ?? '');
      const base = bucket ? this.route(bucket) : this.fallback();
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
      const up = request(
        `${base}${path}`,
        { method: req.method, headers: req.headers, agent: false },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => fail('the S3 endpoint of this bucket’s region did not answer'));
      req.pipe(up);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
