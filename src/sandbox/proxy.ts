import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type Server } from 'node:https';
import type { TlsFiles } from './certs.js';
import { vaultHealth } from './http.js';

/**
 * The region's load balancer: terminates TLS with the sandbox certificate (as an ALB holds the
 * listener certificate) and passes each request to the one node whose sys/health answers 200
 * with default flags, i.e. the active node; 503 when there is none, like an ALB whose target
 * group has no healthy target.
 */
export class ActiveProxy {
  #server: Server | undefined;
  #active: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #ca: Buffer;
  readonly #tls: { cert: Buffer; key: Buffer };

  constructor(
    readonly host: string,
    readonly port: number,
    tls: TlsFiles,
    private readonly candidates: () => readonly string[],
    private readonly onChange: (active: string | undefined) => void,
  ) {
    this.#ca = readFileSync(tls.ca);
    this.#tls = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  }

  get address(): string {
    return `https://${this.host}:${this.port}`;
  }

  get active(): string | undefined {
    return this.#active;
  }

  get listening(): boolean {
    return this.#server?.listening ?? false;
  }

  async start(): Promise<void> {
    const server = createServer(this.#tls, (req, res) => {
      const target = this.#active;
      if (!target) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"errors":["no active Vault node behind the sandbox load balancer"]}\n');
        return;
      }
      const up = request(
        `${target}${req.url ?? '/'}`,
        {
          method: req.method,
          headers: { ...req.headers, host: new URL(target).host },
          ca: this.#ca,
          agent: false,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"errors":["the active Vault node did not answer"]}\n');
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.#server = server;
    this.#timer = setInterval(() => void this.#check(), 500);
    await this.#check();
  }

  #checking = false;

  async #check(): Promise<void> {
    // A slow node must not pile up overlapping rounds of health checks.
    if (this.#checking) return;
    this.#checking = true;
    try {
      await this.#checkOnce();
    } finally {
      this.#checking = false;
    }
  }

  async #checkOnce(): Promise<void> {
    const results = await Promise.all(
      this.candidates().map(async (a) => ({
        a,
        h: await vaultHealth(a, this.#ca, undefined, 1_000),
      })),
    );
    const active = results.find((r) => r.h?.code === 200)?.a;
    if (!this.#server) return; // stopped meanwhile
    if (active !== this.#active) {
      this.#active = active;
      this.onChange(active);
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const s = this.#server;
    this.#server = undefined;
    this.#active = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
