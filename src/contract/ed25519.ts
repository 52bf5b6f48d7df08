import { etc, Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

/**
 * Ed25519 signature verification (RFC 8032, strict: canonical S, no small-order keys) that runs
 * inside the workflow sandbox, where node:crypto does not exist. Built on noble's audited point
 * arithmetic and SHA-512, but without noble's `verify`: that one builds a 4,224-point table for
 * the base point and still multiplies the key by double-and-add (≈250 doublings per message).
 * Here both points get a fixed-window table (43 rows of 63 multiples, ≈2,700 points, ≈0.5 MB),
 * built on first use and kept for the worker with the key's decoded point: the workflow bundle is preloaded once per worker and
 * shared by every run (src/worker.ts, preloadModules), and a run's messages are all signed by
 * the same few server keys. A verification is then ≈86 point additions instead of ≈760 point
 * operations, several times faster, on the path of every decision (the Update's validator).
 * The tables hold their points in affine "Niels" form (y+x, y−x, 2dxy) and the two products
 * are summed with the mixed addition of Hisil et al. (7 field multiplications, not noble's 11
 * with its divisions) over plain bigints (issue 16: the largest CPU cost of a decision); the
 * final check is noble's, on noble's points.
 *
 * Pure math over its inputs: the same bytes give the same answer on every replay; the tables
 * only remember results.
 */

const { n: L, p: P, d: CURVE_D } = Point.CURVE();
const D2 = (2n * CURVE_D) % P;
const LOW_255 = (1n << 255n) - 1n;

function numberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

// Field arithmetic mod p = 2^255 − 19 on reduced values (0 ≤ a, b < p). A product folds its
// high half down twice (2^255 ≡ 19) to below p + 2^11, so one subtraction finishes it.
function mul(a: bigint, b: bigint): bigint {
  let r = a * b;
  r = (r >> 255n) * 19n + (r & LOW_255);
  r = (r >> 255n) * 19n + (r & LOW_255);
  return r >= P ? r - P : r;
}
const add = (a: bigint, b: bigint) => (a + b >= P ? a + b - P : a + b);
const sub = (a: bigint, b: bigint) => (a >= b ? a - b : a - b + P);

/** A table point in affine Niels form: what the mixed addition reads. */
interface Niels {
  ypx: bigint;
  ymx: bigint;
  t2d: bigint;
}

/** 6-bit windows over a 256-bit scalar: row i holds d·64^i·P for d = 1…63 (43 rows, 2,709 points). */
const WINDOW_BITS = 6;
const DIGITS = (1 << WINDOW_BITS) - 1;
const ROWS = Math.ceil(256 / WINDOW_BITS);
type Table = readonly (readonly Niels[])[];

function tableOf(p: Point): Table {
  const points: Point[] = [];
  let base = p;
  for (let i = 0; i < ROWS; i++) {
    const row = [base];
    for (let d = 2; d <= DIGITS; d++) row.push(row[d - 2]!.add(base));
    points.push(...row);
    base = row[DIGITS - 1]!.add(base);
  }
  const niels = toNiels(points);
  return Array.from({ length: ROWS }, (_, i) => niels.slice(i * DIGITS, (i + 1) * DIGITS));
}

/** Affine Niels forms of many points with one inversion (Montgomery's trick: Z is never 0). */
function toNiels(points: readonly Point[]): Niels[] {
  const prefix: bigint[] = [];
  let product = 1n;
  for (const q of points) {
    prefix.push(product);
    product = mul(product, q.Z);
  }
  let inverse = etc.invert(product, P);
  const out = new Array<Niels>(points.length);
  for (let i = points.length - 1; i >= 0; i--) {
    const q = points[i]!;
    const zInverse = mul(inverse, prefix[i]!);
    inverse = mul(inverse, q.Z);
    const x = mul(q.X, zInverse);
    const y = mul(q.Y, zInverse);
    out[i] = { ypx: add(y, x), ymx: sub(y, x), t2d: mul(mul(x, y), D2) };
  }
  return out;
}

/** A key that decoded and passed the checks once, with its table. */
interface KnownPoint {
  point: Point;
  table: Table;
}

/** By encoded point; a handful of keys at most (the servers' current and previous ones). */
const known = new Map<string, KnownPoint>();
let baseTable: Table | undefined;
const KEPT = 16;

function remember(key: string, point: Point): KnownPoint {
  if (known.size >= KEPT) known.delete(known.keys().next().value!);
  const entry = { point, table: tableOf(point) };
  known.set(key, entry);
  return entry;
}

/**
 * n·P from P's table, 0 ≤ n < 2^256; variable time is fine: everything here is public. Extended
 * coordinates from the neutral point (0:1:1:0); each step is add-2008-hwcd-3 (a = −1) with an
 * affine second point, complete on this curve, so no case needs care.
 */
function multiply(table: Table, n: bigint): Point {
  const mask = BigInt(DIGITS);
  const shift = BigInt(WINDOW_BITS);
  let [X, Y, Z, T] = [0n, 1n, 1n, 0n];
  for (let i = 0; n > 0n; i++, n >>= shift) {
    const digit = Number(n & mask);
    if (!digit) continue;
    const q = table[i]![digit - 1]!;
    const a = mul(sub(Y, X), q.ymx);
    const b = mul(add(Y, X), q.ypx);
    const c = mul(T, q.t2d);
    const d = add(Z, Z);
    const [e, f, g, h] = [sub(b, a), sub(d, c), add(d, c), add(b, a)];
    [X, Y, Z, T] = [mul(e, f), mul(g, h), mul(f, g), mul(e, h)];
  }
  return new Point(X, Y, Z, T);
}

/** The public key as a point, decoded (strictly) and checked once per key; undefined if it is no valid key. */
function publicPoint(publicKey: Uint8Array): KnownPoint | undefined {
  const key = Array.from(publicKey, (b) => b.toString(16).padStart(2, '0')).join('');
  const seen = known.get(key);
  if (seen) return seen;
  const point = Point.fromBytes(publicKey, false);
  return point.isSmallOrder() ? undefined : remember(key, point);
}

export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    const A = publicPoint(publicKey);
    const R = Point.fromBytes(signature.subarray(0, 32), false);
    const s = numberLE(signature.subarray(32));
    if (!A || s >= L) return false;
    const hashed = new Uint8Array(64 + message.length);
    hashed.set(signature.subarray(0, 32), 0);
    hashed.set(publicKey, 32);
    hashed.set(message, 64);
    const k = numberLE(sha512(hashed)) % L;
    // [8]([s]B) == [8](R + [k]A)
    baseTable ??= tableOf(Point.BASE);
    return multiply(baseTable, s)
      .subtract(R.add(multiply(A.table, k)))
      .clearCofactor()
      .is0();
  } catch {
    return false; // a point that does not decode is no signature
  }
}
