import { describe, expect, it } from 'vitest';
import { recoveryTagAddress } from './recovery-address.js';

const want = { scheme: 'https' as const, privateIp: '10.0.9.5' };

describe('recoveryTagAddress (a recovery instance tag holding its API address)', () => {
  it('Given the instance’s private IP or a loopback address with a port, When checked, Then it is used as scheme://host:port', () => {
    expect(recoveryTagAddress('https://10.0.9.5:8200', want)).toEqual({
      ok: true,
      address: 'https://10.0.9.5:8200',
    });
    expect(recoveryTagAddress('https://127.30.3.1:18200/', want)).toEqual({
      ok: true,
      address: 'https://127.30.3.1:18200',
    });
    expect(recoveryTagAddress('https://10.0.9.5', want)).toEqual({
      ok: true,
      address: 'https://10.0.9.5:443',
    });
  });

  it('Given an address an attacker would write, When checked, Then it is refused saying why, never an address', () => {
    const cases: [string, RegExp][] = [
      ['https://203.0.113.7:8200', /neither the instance's private IP nor loopback/],
      ['https://10.0.1.10:8200', /neither the instance's private IP nor loopback/],
      ['https://vault:pw@127.0.0.1:8200', /credentials/],
      ['https://127.0.0.1:8200/v1/sys/x', /path, query or fragment/],
      ['https://127.0.0.1:8200?x=1', /path, query or fragment/],
      ['https://127.0.0.1:8200?', /path, query or fragment/],
      ['https://127.0.0.1:8200#frag', /path, query or fragment/],
      ['https://[::1]:8200', /not an IPv4 address/],
      ['::1', /not a URL/],
      ['https://vault.example.com:8200', /not an IPv4 address/],
      ['http://127.0.0.1:8200', /not https:\/\//],
      ['file:///etc/passwd', /not https:\/\//],
      ['not an address', /not a URL/],
      ['', /not a URL/],
    ];
    for (const [value, why] of cases) {
      const r = recoveryTagAddress(value, want);
      expect(r.ok, value).toBe(false);
      if (!r.ok) expect(r.why, value).toMatch(why);
    }
  });

  it('Given a loopback host spelled oddly, When checked, Then the address used is the one the parser would connect to', () => {
    expect(recoveryTagAddress('https://0x7f.1:8200', want)).toEqual({
      ok: true,
      address: 'https://127.0.0.1:8200',
    });
  });

  it('Given no private IP known yet, When a non-loopback address is tagged, Then it is refused', () => {
    expect(recoveryTagAddress('https://10.0.9.5:8200', { scheme: 'https' }).ok).toBe(false);
  });

  it('Given a profile on http, When an http address is tagged, Then it is used, and https is not', () => {
    const http = { scheme: 'http' as const, privateIp: '10.0.9.5' };
    expect(recoveryTagAddress('http://10.0.9.5:8200', http)).toEqual({
      ok: true,
      address: 'http://10.0.9.5:8200',
    });
    expect(recoveryTagAddress('https://10.0.9.5:8200', http).ok).toBe(false);
  });
});
