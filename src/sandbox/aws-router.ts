import type { IncomingMessage } from 'node:http';
import { PassThroughServer, passThrough } from './passthrough.js';

/**
 * moto is one server for every region, so stopping "the primary region's AWS APIs" cannot be
 * done by stopping a process. The profile's AWS endpoints point here instead; each request is
 * passed to moto unchanged (streamed, Host header untouched so SigV4 still verifies) unless
 * its signature names a region whose APIs are down: then the connection is closed without an
 * answer, as an unreachable regional endpoint fails a client. Route 53 is global (signed as
 * us-east-1, which is the sandbox's primary region) and keeps answering, as it does in AWS.
 */
export class AwsRouter extends PassThroughServer {
  constructor(
    host: string,
    port: number,
    moto: string,
    /** Whether this region's regional AWS APIs are unreachable right now. */
    regionDown: (region: string) => boolean,
  ) {
    super(host, port, (req, res) => {
      if (refused(req, regionDown)) {
        req.socket.destroy();
        return;
      }
      passThrough(moto, req, res, () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('moto did not answer\n');
      });
    });
  }
}

/** Services whose endpoint is global: a regional outage does not take them down. */
const GLOBAL_SERVICES = new Set(['route53', 'iam', 'sts']);

/** Region and service from a SigV4 `Authorization` header's credential scope. */
export function signedScope(
  authorization: string | undefined,
): { region: string; service: string } | undefined {
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(
    authorization ?? '',
  );
  return m?.[1] && m[2] ? { region: m[1], service: m[2] } : undefined;
}

function refused(req: IncomingMessage, regionDown: (region: string) => boolean): boolean {
  const scope = signedScope(req.headers.authorization);
  // An unsigned request names no region: moto's own API (reset, data.json) is not AWS's.
  if (!scope || GLOBAL_SERVICES.has(scope.service)) return false;
  return regionDown(scope.region);
}
