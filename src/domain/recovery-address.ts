import { tagUrl } from './tag-address.js';

/**
 * The API address of a recovery node taken from its instance tag (profile
 * `recovery.address_tag`). Whoever can tag the instance writes that value, and the runbook then
 * sends unseal shares and a token to it; so only a plain `scheme://host:port` is used, where the
 * scheme is the profile's (never a downgrade to http), there are no credentials, path, query
 * or fragment (a path would move every call to another endpoint), and the host is the
 * instance's own private IPv4 address or a loopback one (the sandbox; an operator's port
 * forward). A production node's address passes TLS (same CA), which is why another host is
 * refused. IPv6 is never the node: its security group and subnet ACL are IPv4 only.
 * TLS is still verified against the profile's CA on top of this.
 */
export type AddressCheck =
  { readonly ok: true; readonly address: string } | { readonly ok: false; readonly why: string };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function recoveryTagAddress(
  value: string,
  want: { readonly scheme: 'https' | 'http'; readonly privateIp?: string },
): AddressCheck {
  const no = (why: string): AddressCheck => ({ ok: false, why });
  const t = tagUrl(value, want.scheme);
  if (!t.ok) return t;
  const u = t.url;
  // The URL parser normalises 0x7f.1 and the like: judge the host it would connect to.
  const host = u.hostname;
  if (!IPV4.test(host)) return no('its host is not an IPv4 address');
  const loopback = host.startsWith('127.');
  if (!loopback && host !== want.privateIp)
    return no(`its host is neither the instance's private IP nor loopback`);
  const port = u.port || (want.scheme === 'https' ? '443' : '80');
  return { ok: true, address: `${want.scheme}://${host}:${port}` };
}
