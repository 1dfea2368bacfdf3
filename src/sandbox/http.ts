import { request } from 'node:https';

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** One HTTPS request trusting only the sandbox CA (never the system store, never skip-verify). */
export async function httpsRequest(
  url: string,
  opts: {
    readonly ca: string | Buffer;
    readonly method?: string;
    readonly body?: string;
    readonly headers?: Record<string, string>;
    readonly signal?: AbortSignal;
    readonly timeoutMs?: number;
  },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        ca: opts.ca,
        headers: {
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        agent: false,
        ...(opts.signal ? { signal: opts.signal } : {}),
        timeout: opts.timeoutMs ?? 2_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface Health {
  /** The sys/health status code with default flags: 200 active, 429 standby, 501, 503… */
  readonly code: number;
  readonly version?: string;
  readonly initialized?: boolean;
  readonly sealed?: boolean;
  readonly standby?: boolean;
}

export async function vaultHealth(
  address: string,
  ca: string | Buffer,
  signal?: AbortSignal,
  timeoutMs = 1_500,
): Promise<Health | undefined> {
  try {
    const r = await httpsRequest(`${address}/v1/sys/health`, {
      ca,
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    let b: Partial<Health> = {};
    try {
      b = JSON.parse(r.body) as Partial<Health>;
    } catch {
      // a proxy's 503 page or an empty body still carries the code
    }
    return {
      code: r.status,
      ...(b.version !== undefined ? { version: b.version } : {}),
      ...(b.initialized !== undefined ? { initialized: b.initialized } : {}),
      ...(b.sealed !== undefined ? { sealed: b.sealed } : {}),
      ...(b.standby !== undefined ? { standby: b.standby } : {}),
    };
  } catch {
    return undefined;
  }
}
