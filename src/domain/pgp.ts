import {
  constants,
  createCipheriv,
  createHash,
  createPublicKey,
  publicEncrypt,
  randomBytes,
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
  /** Whether the primary key or a subkey may encrypt: Vault refuses a key that cannot. */
  readonly canEncrypt: boolean;
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
const KEY_FLAGS = 27;

/** Key flags (subpacket 27) from a v4 signature's hashed area, when it has them. */
function keyFlags(sig: Uint8Array): number | undefined {
  if (sig[0] !== 4) return undefined;
  const hashedLen = ((sig[4] ?? 0) << 8) | (sig[5] ?? 0);
  let p = 6;
  const end = 6 + hashedLen;
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
      len = Buffer.from(sig.subarray(p + 1, p + 5)).readUInt32BE(0);
      p += 5;
    }
    if (((sig[p] ?? 0) & 0x7f) === KEY_FLAGS) return sig[p + 1] ?? 0;
    p += len;
  }
  return undefined;
}

/**
 * The key packets that may encrypt, as OpenPGP implementations (Vault's Go library among
 * them) decide it: key flags 0x04/0x08 from the self-signature or subkey binding, else the
 * algorithm's ability.
 */
function encryptionKeys(all: readonly Packet[]): Packet[] {
  const keys: { key: Packet; flags?: number }[] = [];
  let current: { key: Packet; flags?: number } | undefined;
  for (const x of all) {
    if (x.tag === 6 || x.tag === 14) {
      current = { key: x };
      keys.push(current);
    } else if (x.tag === 2 && current) {
      const type = x.body[1] ?? 0;
      const binds = current.key.tag === 14 ? type === 0x18 : type >= 0x10 && type <= 0x13;
      const flags = binds ? keyFlags(x.body) : undefined;
      if (flags !== undefined) current.flags = (current.flags ?? 0) | flags;
    }
  }
  return keys
    .filter((k) =>
      k.flags === undefined
        ? ENCRYPTING_ALGORITHMS.has(k.key.body[5] ?? 0)
        : (k.flags & 0x0c) !== 0,
    )
    .map((k) => k.key);
}

/** Reads a keyholder's public key file (armored or binary). */
export function parsePublicKey(data: Uint8Array): PgpPublicKey {
  const binary = dearmor(data);
  const pk = packets(binary);
  const primary = pk[0];
  if (primary?.tag !== 6)
    throw new PgpError(
      primary?.tag === 5
        ? 'this is a SECRET key: give the public key (gpg --export, not --export-secret-keys)'
        : 'not an OpenPGP public key (the first packet is not a public-key packet)',
    );
  return {
    binary,
    base64: Buffer.from(binary).toString('base64'),
    fingerprint: v4Fingerprint(primary.body),
    userIds: pk.filter((x) => x.tag === 13).map((x) => Buffer.from(x.body).toString('utf8')),
    algorithm: ALGORITHMS[primary.body[5] ?? 0] ?? `algorithm ${primary.body[5] ?? '?'}`,
    canEncrypt: encryptionKeys(pk).length > 0,
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
 * integrity-protected (SEIPD v1 + MDC) AES-256 packet — what `gpg -d` reads. An RSA subkey
 * allowed to encrypt is preferred (gpg's layout: signing primary, encryption subkey).
 */
export function encryptTo(key: PgpPublicKey, plaintext: Uint8Array): Uint8Array {
  const rsa = encryptionKeys(packets(key.binary)).filter(
    (x) => x.body[0] === 4 && [1, 2].includes(x.body[5] ?? 0),
  );
  const target = rsa.find((x) => x.tag === 14) ?? rsa[0];
  if (!target)
    throw new PgpError(
      `key ${key.fingerprint} has no RSA encryption key (${key.algorithm}): give an RSA key`,
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
  const keyId = Buffer.from(v4Fingerprint(target.body).slice(-16), 'hex');
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
