/**
 * A Vault address written in an instance tag, judged as a URL before anyone connects to it.
 * Whoever can tag the instance writes that value, and the runbooks send shares and tokens to
 * it: so only `scheme://host[:port]` in the profile's scheme is taken — no downgrade to http,
 * no credentials, and no path, query or fragment (a path would move every call to another
 * endpoint). What the host may be is the caller's rule (discovery: any, TLS decides; a
 * recovery node: its own IP or loopback, see recovery-address.ts).
 */
export type TagUrl =
  { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly why: string };

export function tagUrl(value: string, scheme: 'https' | 'http'): TagUrl {
  const no = (why: string): TagUrl => ({ ok: false, why });
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return no('not a URL');
  }
  if (u.protocol !== `${scheme}:`) return no(`not ${scheme}://`);
  if (u.username || u.password) return no('it carries credentials');
  if (u.pathname !== '/' || u.search || u.hash || /[?#]/.test(value))
    return no('it has a path, query or fragment');
  return { ok: true, url: u };
}
