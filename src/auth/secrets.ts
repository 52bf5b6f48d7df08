import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password and token hashing. Passwords: scrypt with a random salt, parameters stored beside the
 * hash so they can be raised later without invalidating old hashes. API tokens are long random
 * strings, so a fast SHA-256 is enough: only the hash is ever written down.
 */

const SCRYPT_PREFIX = 'scrypt';
const DEFAULT_PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const TOKEN_PREFIX = 'glt_';

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt b64>$<hash b64>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, DEFAULT_PARAMS);
  const { N, r, p } = DEFAULT_PARAMS;
  return [SCRYPT_PREFIX, N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export const passwordHashPattern = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [prefix, n, r, p, saltB64, hashB64] = stored.split('$');
  if (prefix !== SCRYPT_PREFIX || !n || !r || !p || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const key = await scryptAsync(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password hash that never matches, verified anyway so unknown users cost the same time. */
export const DUMMY_PASSWORD_HASH = `${SCRYPT_PREFIX}$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function newApiToken(): string {
  return TOKEN_PREFIX + randomBytes(24).toString('base64url');
}

export function newPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** Constant-time comparison of two strings of possibly different length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
