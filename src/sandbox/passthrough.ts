import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

/**
 * A plain-HTTP listener that stands in for an AWS endpoint in front of a local server (moto,
 * MinIO). The AWS router and the S3 router differ only in where a request goes and how a
 * refusal looks; listening, stopping and the pass-through itself are here once.
 */
export class PassThroughServer {
  #server: Server | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly handle: (req: IncomingMessage, res: ServerResponse) => void,
  ) {}

  /** The address it listens on (the real port when it was started on port 0). */
  get url(): string {
    const a = this.#server?.address();
    return `http://${this.host}:${typeof a === 'object' && a ? a.port : this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer(this.handle);
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

/**
 * Passes one request to `base` + its path unchanged and streams the answer back. The Host
 * header is left as the client signed it, so a SigV4 signature still verifies upstream.
 * `failed` answers the client when the upstream does not.
 */
export function passThrough(
  base: string,
  req: IncomingMessage,
  res: ServerResponse,
  failed: () => void,
): void {
  const up = request(
    `${base}${req.url ?? '/'}`,
    { method: req.method, headers: req.headers, agent: false },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    },
  );
  up.on('error', failed);
  req.pipe(up);
}
