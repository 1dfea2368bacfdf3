import {
  constants,
  createCipheriv,
  createHash,
  createPublicKey,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';

/**
 * The little OpenPGP (RFC 4880) a ceremony needs, in pure TypeScript so that no keyholder's
 * machine needs gpg to run it: dearmor a public key, its v4 fingerprint, armor what Vault
 * returns, and encrypt a short secret (the operator token) to an RSA key.
 */

export interface PgpPublicKey {
  /** The transferable public key, binary: what Vault wants base64 of in `pgp_keys`. */
  readonly binary: Uint8Array;
  readonly base64: string;
  /** v4 fingerprint, 40 upper-case hex digits, as `gpg --with-colons` prints it. */
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  readonly algorithm: string;
  /** Whether the primary key or a bound subkey may encrypt: Vault refuses a key that cannot. */
  readonly canEncrypt: boolean;
  /**
   * The key `encryptTo` uses (a bound RSA encryption subkey, else an RSA primary): the one to
   * show next to the fingerprint, since the fingerprint names only the primary key.
   */
  readonly encryptionKey?: {
    readonly keyId: string;
    readonly fingerprint: string;
    readonly primary: boolean;
  };
}

export class PgpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgpError';
  }
}

const ALGORITHMS: Record<number, string> = {
  1: 'RSA',
  2: 'RSA (encrypt only)',
  3: 'RSA (sign only)',
  16: 'Elgamal',
  17: 'DSA',
  18: 'ECDH',
  19: 'ECDSA',
  22: 'EdDSA',
};

/** CRC-24 of the armor checksum line (RFC 4880 §6.1). */
export function crc24(data: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

function isArmored(data: Uint8Array): boolean {
  const head = Buffer.from(data.subarray(0, 64)).toString('latin1').trimStart();
  return head.startsWith('-----BEGIN PGP');
}

/** Binary from an armored block (checksum verified when present), or the input when binary. */
export function dearmor(data: Uint8Array): Uint8Array {
  if (!isArmored(data)) return data;
  const lines = Buffer.from(data).toString('utf8').split(/\r?\n/);
  const begin = lines.findIndex((l) => l.startsWith('-----BEGIN PGP'));
  const end = lines.findIndex((l, i) => i > begin && l.startsWith('-----END PGP'));
  if (end < 0) throw new PgpError('armored block without an END line');
  // Header lines ("Comment: …") run up to the first empty line.
  let i = begin + 1;
  while (i < end && (lines[i] ?? '').trim() !== '') i++;
  if (i === end) i = begin; // no blank line: some tools omit the headers entirely
  let body = '';
  let checksum: string | undefined;
  for (const raw of lines.slice(i + 1, end)) {
    const l = raw.trim();
    if (l.startsWith('=') && l.length === 5) checksum = l.slice(1);
    else body += l;
  }
  const bin = Buffer.from(body, 'base64');
  if (checksum !== undefined) {
    const want = Buffer.from(checksum, 'base64').readUIntBE(0, 3);
    if (want !== crc24(bin))
      throw new PgpError('armor checksum does not match: the file is damaged');
  }
  return new Uint8Array(bin);
}

/** ASCII armor (RFC 4880 §6.2) around binary OpenPGP data. */
export function armor(kind: 'MESSAGE' | 'PUBLIC KEY BLOCK', data: Uint8Array): string {
  const b64 = Buffer.from(data).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  const crc = Buffer.alloc(3);
  crc.writeUIntBE(crc24(data), 0, 3);
  return [
    `-----BEGIN PGP ${kind}-----`,
    '',
    ...lines,
    `=${crc.toString('base64')}`,
    `-----END PGP ${kind}-----`,
    '',
  ].join('\n');
}

export interface Packet {
  readonly tag: number;
  readonly body: Uint8Array;
}

/** Splits binary OpenPGP data into packets (old and new header formats, no partial lengths). */
export function packets(data: Uint8Array): Packet[] {
  const out: Packet[] = [];
  let p = 0;
  const need = (n: number): void => {
    if (p + n > data.length) throw new PgpError('truncated OpenPGP data');
  };
  while (p < data.length) {
    const h = data[p] ?? 0;
    if ((h & 0x80) === 0) throw new PgpError(`not OpenPGP data (byte ${p} is not a packet header)`);
    p++;
    let tag: number;
    let len: number;
    if (h & 0x40) {
      tag = h & 0x3f;
      need(1);
      const o = data[p++] ?? 0;
      if (o < 192) len = o;
      else if (o < 224) {
        need(1);
        len = ((o - 192) << 8) + (data[p++] ?? 0) + 192;
      } else if (o === 255) {
        need(4);
        len = Buffer.from(data.subarray(p, p + 4)).readUInt32BE(0);
        p += 4;
      } else throw new PgpError('partial-length packets are not supported in a public key');
    } else {
      tag = (h >> 2) & 0x0f;
      const lt = h & 0x03;
      const n = lt === 0 ? 1 : lt === 1 ? 2 : lt === 2 ? 4 : 0;
      if (n === 0) throw new PgpError('indeterminate-length packets are not supported');
      need(n);
      len = Buffer.from(data.subarray(p, p + n)).readUIntBE(0, n);
      p += n;
    }
    need(len);
    out.push({ tag, body: data.subarray(p, p + len) });
    p += len;
  }
  return out;
}

/** v4 fingerprint: SHA-1 over 0x99, a two-octet length and the key packet body. */
export function v4Fingerprint(keyBody: Uint8Array): string {
  if (keyBody[0] !== 4)
    throw new PgpError(`only version 4 keys are supported (this is version ${keyBody[0] ?? '?'})`);
  const head = Buffer.from([0x99, (keyBody.length >> 8) & 0xff, keyBody.length & 0xff]);
  return createHash('sha1').update(head).update(keyBody).digest('hex').toUpperCase();
}

const ENCRYPTING_ALGORITHMS = new Set([1, 2, 16, 18]);
const RSA_ALGORITHMS = new Set([1, 2]);

interface Signature {
  readonly type: number;
  readonly pubAlg: number;
  readonly hashAlg: number;
  /** The part the signature covers: version through the hashed subpackets. */
  readonly hashed: Uint8Array;
  readonly left16: Uint8Array;
  readonly mpis: readonly Uint8Array[];
  readonly created?: number;
  /** Seconds after creation, from subpacket 3. */
  readonly expiresAfter?: number;
  /** Seconds after the key's creation, from subpacket 9. */
  readonly keyExpiresAfter?: number;
  readonly flags?: number;
}

/** A v4 signature packet's fields; undefined for other versions (never trusted). */
function parseSignature(sig: Uint8Array): Signature | undefined {
  if (sig[0] !== 4 || sig.length < 6) return undefined;
  const hashedLen = ((sig[4] ?? 0) << 8) | (sig[5] ?? 0);
  const end = 6 + hashedLen;
  if (end + 2 > sig.length) return undefined;
  const sub: { created?: number; expiresAfter?: number; keyExpiresAfter?: number; flags?: number } =
    {};
  const u32 = (at: number): number => Buffer.from(sig.subarray(at, at + 4)).readUInt32BE(0);
  let p = 6;
  while (p < end) {
    const o = sig[p] ?? 0;
    let len: number;
    if (o < 192) {
      len = o;
      p += 1;
    } else if (o < 255) {
      len = ((o - 192) << 8) + (sig[p + 1] ?? 0) + 192;
      p += 2;
    } else {
      len = u32(p + 1);
      p += 5;
    }
    if (len < 1 || p + len > end) return undefined;
    const kind = (sig[p] ?? 0) & 0x7f;
    if (kind === 2 && len >= 5) sub.created = u32(p + 1);
    else if (kind === 3 && len >= 5) sub.expiresAfter = u32(p + 1);
    else if (kind === 9 && len >= 5) sub.keyExpiresAfter = u32(p + 1);
    else if (kind === 27 && len >= 2) sub.flags = sig[p + 1] ?? 0;
    p += len;
  }
  const unhashedLen = ((sig[end] ?? 0) << 8) | (sig[end + 1] ?? 0);
  let q = end + 2 + unhashedLen;
  const left16 = sig.subarray(q, q + 2);
  q += 2;
  const mpis: Uint8Array[] = [];
  while (q + 2 <= sig.length) {
    const m = readMpi(sig, q);
    mpis.push(m.value);
    q = m.next;
  }
  return {
    type: sig[1] ?? 0,
    pubAlg: sig[2] ?? 0,
    hashAlg: sig[3] ?? 0,
    hashed: sig.subarray(0, end),
    left16,
    mpis,
    ...sub,
  };
}

const HASHES: Record<number, string> = {
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

const CURVES: Record<string, { crv: string; size: number }> = {
  '2a8648ce3d030107': { crv: 'P-256', size: 32 },
  '2b81040022': { crv: 'P-384', size: 48 },
  '2b81040023': { crv: 'P-521', size: 66 },
};
const ED25519_OID = '2b06010401da470f01';

function pad(v: Uint8Array, size: number): Buffer {
  return v.length >= size
    ? Buffer.from(v)
    : Buffer.concat([Buffer.alloc(size - v.length), Buffer.from(v)]);
}

/**
 * Whether `sig` was made by the primary key over `covered` (RFC 4880 §5.2.4): the hash and
 * signature are checked with node:crypto. Algorithms it cannot check count as not signed.
 */
function signedBy(primary: Uint8Array, covered: Uint8Array, sig: Signature): boolean {
  const hash = HASHES[sig.hashAlg];
  if (!hash || sig.pubAlg !== primary[5]) return false;
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(sig.hashed.length, 2);
  const data = Buffer.concat([keyPrefix(primary), covered, sig.hashed, trailer]);
  const digest = createHash(hash).update(data).digest();
  if (!digest.subarray(0, 2).equals(Buffer.from(sig.left16))) return false;
  try {
    const alg = primary[5] ?? 0;
    if (alg === 1 || alg === 3) {
      const n = readMpi(primary, 6);
      const e = readMpi(primary, n.next);
      const key = createPublicKey({
        key: {
          kty: 'RSA',
          n: Buffer.from(n.value).toString('base64url'),
          e: Buffer.from(e.value).toString('base64url'),
        },
        format: 'jwk',
      });
      const s = sig.mpis[0];
      if (!s) return false;
      return verify(hash, data, key, pad(s, n.value.length));
    }
    const oidLen = primary[6] ?? 0;
    const oid = Buffer.from(primary.subarray(7, 7 + oidLen)).toString('hex');
    const point = readMpi(primary, 7 + oidLen).value;
    const [r, s] = sig.mpis;
    if (!r || !s) return false;
    if (alg === 22 && oid === ED25519_OID && point[0] === 0x40) {
      const key = createPublicKey({
        key: {
          kty: 'OKP',
          crv: 'Ed25519',
          x: Buffer.from(point.subarray(1)).toString('base64url'),
        },
        format: 'jwk',
      });
      return verify(null, digest, key, Buffer.concat([pad(r, 32), pad(s, 32)]));
    }
    const curve = CURVES[oid];
    if (alg === 19 && curve && point[0] === 0x04) {
      const xy = point.subarray(1);
      const key = createPublicKey({
        key: {
          kty: 'EC',
          crv: curve.crv,
          x: Buffer.from(xy.subarray(0, curve.size)).toString('base64url'),
          y: Buffer.from(xy.subarray(curve.size)).toString('base64url'),
        },
        format: 'jwk',
      });
      return verify(
        hash,
        data,
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.concat([pad(r, curve.size), pad(s, curve.size)]),
      );
    }
    return false;
  } catch {
    // A malformed key or signature is one that does not verify.
    return false;
  }
}

/** 0x99, a two-octet length and the key packet body: how a key enters a signature's hash. */
function keyPrefix(body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x99, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

function userIdPrefix(body: Uint8Array): Buffer {
  const h = Buffer.alloc(5);
  h[0] = 0xb4;
  h.writeUInt32BE(body.length, 1);
  return Buffer.concat([h, body]);
}

/** A key this tool may encrypt to, with the facts a person checks it by. */
export interface EncryptionKey {
  readonly packet: Packet;
  /** v4 fingerprint of this (sub)key. */
  readonly fingerprint: string;
  /** The long key id (last 16 hex digits), as `gpg --list-keys` and `gpg -d` print it. */
  readonly keyId: string;
  readonly primary: boolean;
  readonly created: number;
}

/**
 * The keys that may encrypt, as OpenPGP implementations (Vault's Go library among them) decide
 * it, but only those the primary key vouches for: a subkey counts only with a subkey binding
 * signature (0x18) that the primary key made over primary and subkey and that verifies, is not
 * expired, and is not revoked by a verified 0x28. Anyone can append a subkey packet to a public
 * key file; only the key's owner can bind one. Key flags 0x04/0x08 from that signature (or a
 * verified self-signature, for the primary) decide, else the algorithm's ability.
 */
function encryptionKeys(all: readonly Packet[], now: Date): EncryptionKey[] {
  const primary = all[0];
  if (primary?.tag !== 6) return [];
  const nowS = Math.floor(now.getTime() / 1000);
  const created = (k: Uint8Array): number => Buffer.from(k.subarray(1, 5)).readUInt32BE(0);
  interface Group {
    key: Packet;
    binding?: Signature;
    revoked: boolean;
  }
  const groups: Group[] = [];
  let current: Group | undefined;
  let uid: Uint8Array | undefined;
  const primaryGroup: Group = { key: primary, revoked: false };
  for (const x of all) {
    if (x.tag === 6) {
      current = primaryGroup;
      groups.push(current);
    } else if (x.tag === 14) {
      current = { key: x, revoked: false };
      groups.push(current);
      uid = undefined;
    } else if (x.tag === 13) {
      uid = x.body;
    } else if (x.tag === 17) {
      uid = undefined; // user attributes (photos) carry no key flags here
    } else if (x.tag === 2 && current) {
      const sig = parseSignature(x.body);
      if (!sig) continue;
      const g = current;
      const subkey = g.key.tag === 14;
      const covered = subkey
        ? keyPrefix(g.key.body)
        : uid && sig.type >= 0x10 && sig.type <= 0x13
          ? userIdPrefix(uid)
          : sig.type === 0x1f || sig.type === 0x20
            ? Buffer.alloc(0)
            : undefined;
      if (!covered) continue;
      const wanted = subkey ? [0x18, 0x28] : [0x10, 0x11, 0x12, 0x13, 0x1f, 0x20];
      if (!wanted.includes(sig.type) || !signedBy(primary.body, covered, sig)) continue;
      if (sig.type === 0x28 || sig.type === 0x20) {
        g.revoked = true;
        continue;
      }
      if (sig.created !== undefined && sig.created > nowS) continue;
      if (sig.expiresAfter && (sig.created ?? 0) + sig.expiresAfter <= nowS) continue;
      // The newest valid binding or self-signature is the one that speaks (RFC 4880 §5.2.3.3).
      if (!g.binding || (sig.created ?? 0) >= (g.binding.created ?? 0)) g.binding = sig;
    }
  }
  // A revoked or expired primary key takes every subkey with it.
  const primaryExp = primaryGroup.binding?.keyExpiresAfter;
  if (primaryGroup.revoked || (primaryExp && created(primary.body) + primaryExp <= nowS)) return [];
  return groups
    .filter((g) => !g.revoked && (g.key.tag === 6 || g.binding))
    .filter((g) => {
      const exp = g.binding?.keyExpiresAfter;
      return !exp || created(g.key.body) + exp > nowS;
    })
    .filter((g) => {
      const flags = g.binding?.flags;
      return flags === undefined
        ? ENCRYPTING_ALGORITHMS.has(g.key.body[5] ?? 0)
        : (flags & 0x0c) !== 0;
    })
    .map((g) => {
      const fingerprint = v4Fingerprint(g.key.body);
      return {
        packet: g.key,
        fingerprint,
        keyId: fingerprint.slice(-16),
        primary: g.key.tag === 6,
        created: created(g.key.body),
      };
    });
}

/**
 * The key a secret is encrypted to: the newest bound RSA encryption subkey (what gpg picks), else
 * an RSA primary key allowed to encrypt.
 */
function rsaTarget(keys: readonly EncryptionKey[]): EncryptionKey | undefined {
  const rsa = keys.filter(
    (k) => k.packet.body[0] === 4 && RSA_ALGORITHMS.has(k.packet.body[5] ?? 0),
  );
  const subkeys = rsa.filter((k) => !k.primary).sort((a, b) => b.created - a.created);
  return subkeys[0] ?? rsa.find((k) => k.primary);
}

/** Reads a keyholder's public key file (armored or binary); `now` judges expiry. */
export function parsePublicKey(data: Uint8Array, now: Date = new Date()): PgpPublicKey {
  const binary = dearmor(data);
  const pk = packets(binary);
  const primary = pk[0];
  if (primary?.tag !== 6)
    throw new PgpError(
      primary?.tag === 5
        ? 'this is a SECRET key: give the public key (gpg --export, not --export-secret-keys)'
        : 'not an OpenPGP public key (the first packet is not a public-key packet)',
    );
  const usable = encryptionKeys(pk, now);
  const target = rsaTarget(usable);
  return {
    binary,
    base64: Buffer.from(binary).toString('base64'),
    fingerprint: v4Fingerprint(primary.body),
    userIds: pk.filter((x) => x.tag === 13).map((x) => Buffer.from(x.body).toString('utf8')),
    algorithm: ALGORITHMS[primary.body[5] ?? 0] ?? `algorithm ${primary.body[5] ?? '?'}`,
    canEncrypt: usable.length > 0,
    ...(target
      ? {
          encryptionKey: {
            keyId: target.keyId,
            fingerprint: target.fingerprint,
            primary: target.primary,
          },
        }
      : {}),
  };
}

/** Groups a fingerprint in fours, the way people read them out to each other. */
export function formatFingerprint(fpr: string): string {
  return fpr.match(/.{1,4}/g)?.join(' ') ?? fpr;
}

function header(tag: number, len: number): Buffer {
  if (len < 192) return Buffer.from([0xc0 | tag, len]);
  if (len < 8384) {
    const l = len - 192;
    return Buffer.from([0xc0 | tag, (l >> 8) + 192, l & 0xff]);
  }
  const b = Buffer.alloc(6);
  b[0] = 0xc0 | tag;
  b[1] = 255;
  b.writeUInt32BE(len, 2);
  return b;
}

function packet(tag: number, body: Uint8Array): Buffer {
  return Buffer.concat([header(tag, body.length), body]);
}

function readMpi(body: Uint8Array, at: number): { value: Uint8Array; next: number } {
  const bits = ((body[at] ?? 0) << 8) | (body[at + 1] ?? 0);
  const n = Math.ceil(bits / 8);
  return { value: body.subarray(at + 2, at + 2 + n), next: at + 2 + n };
}

function mpi(value: Uint8Array): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const v = value.subarray(i);
  const bits = (v.length - 1) * 8 + (32 - Math.clz32(v[0] ?? 0));
  return Buffer.concat([Buffer.from([(bits >> 8) & 0xff, bits & 0xff]), v]);
}

/**
 * Encrypts a short secret to an RSA public key: a v3 PKESK with PKCS#1 v1.5, then an
 * integrity-protected (SEIPD v1 + MDC) AES-256 packet — what `gpg -d` reads. It goes to
 * `key.encryptionKey`: a subkey the primary key bound with a verified signature, never just
 * the first subkey packet in the file.
 */
export function encryptTo(key: PgpPublicKey, plaintext: Uint8Array): Uint8Array {
  const chosen = key.encryptionKey;
  const target = chosen
    ? packets(key.binary).find(
        (x) =>
          (x.tag === 6 || x.tag === 14) &&
          x.body[0] === 4 &&
          v4Fingerprint(x.body) === chosen.fingerprint,
      )
    : undefined;
  if (!target)
    throw new PgpError(
      `key ${key.fingerprint} has no RSA encryption key that it signed for (${key.algorithm}): give an RSA key with an encryption subkey`,
    );
  const n = readMpi(target.body, 6);
  const e = readMpi(target.body, n.next);
  const rsaKey = createPublicKey({
    key: {
      kty: 'RSA',
      n: Buffer.from(n.value).toString('base64url'),
      e: Buffer.from(e.value).toString('base64url'),
    },
    format: 'jwk',
  });
  const sessionKey = randomBytes(32);
  let sum = 0;
  for (const b of sessionKey) sum = (sum + b) & 0xffff;
  const m = Buffer.concat([Buffer.from([9]), sessionKey, Buffer.from([sum >> 8, sum & 0xff])]);
  const c = publicEncrypt({ key: rsaKey, padding: constants.RSA_PKCS1_PADDING }, m);
  const keyId = Buffer.from(chosen?.keyId ?? '', 'hex');
  const pkesk = packet(1, Buffer.concat([Buffer.from([3]), keyId, Buffer.from([1]), mpi(c)]));

  const literal = packet(
    11,
    Buffer.concat([Buffer.from([0x62, 0]), Buffer.alloc(4), Buffer.from(plaintext)]),
  );
  const prefix = randomBytes(16);
  const body = Buffer.concat([prefix, prefix.subarray(14, 16), literal, Buffer.from([0xd3, 0x14])]);
  const mdc = createHash('sha1').update(body).digest();
  const cipher = createCipheriv('aes-256-cfb', sessionKey, Buffer.alloc(16));
  const encrypted = Buffer.concat([cipher.update(Buffer.concat([body, mdc])), cipher.final()]);
  const seipd = packet(18, Buffer.concat([Buffer.from([1]), encrypted]));
  return new Uint8Array(Buffer.concat([pkesk, seipd]));
}
