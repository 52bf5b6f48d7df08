import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

/**
 * Ed25519 signature verification (RFC 8032, strict: canonical S, no small-order keys) that runs
 * inside the workflow sandbox, where node:crypto does not exist. Built on noble's audited point
 * arithmetic and SHA-512, but without noble's `verify`: that one builds a 4,224-point table for
 * the base point and still multiplies the key by double-and-add (≈250 doublings per message).
 * Here both points get a small fixed-window table (64 rows of 15 multiples, ≈960 points), built
 * on first use and kept for the worker: the workflow bundle is preloaded once per worker and
 * shared by every run (src/worker.ts, preloadModules), and a run's messages are all signed by
 * the same few server keys. A verification is then ≈128 point additions instead of ≈760 point
 * operations, several times faster, on the path of every decision (the Update's validator).
 *
 * Pure math over its inputs: the same bytes give the same answer on every replay; the tables
 * only remember results.
 */

const L = Point.CURVE().n;

function numberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** 4-bit windows over a 256-bit scalar: row i holds d·16^i·P for d = 1…15. */
const WINDOW_BITS = 4n;
const ROWS = 64;
type Table = readonly (readonly Point[])[];

function tableOf(p: Point): Table {
  const rows: Point[][] = [];
  let base = p;
  for (let i = 0; i < ROWS; i++) {
    const row = [base];
    for (let d = 2; d < 16; d++) row.push(row[d - 2]!.add(base));
    rows.push(row);
    base = row[14]!.add(base);
  }
  return rows;
}

/** Tables by encoded point; a handful of keys at most (the servers' current and previous ones). */
const tables = new Map<string, Table>();
const TABLES_KEPT = 16;

function tableFor(key: string, p: Point): Table {
  let table = tables.get(key);
  if (!table) {
    if (tables.size >= TABLES_KEPT) tables.delete(tables.keys().next().value!);
    table = tableOf(p);
    tables.set(key, table);
  }
  return table;
}

/** n·P from P's table, 0 ≤ n < 2^256; variable time is fine: everything here is public. */
function multiply(table: Table, n: bigint): Point {
  let acc = Point.ZERO;
  for (let i = 0; n > 0n; i++, n >>= WINDOW_BITS) {
    const digit = Number(n & 15n);
    if (digit) acc = acc.add(table[i]![digit - 1]!);
  }
  return acc;
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
    const A = Point.fromBytes(publicKey, false);
    const R = Point.fromBytes(signature.subarray(0, 32), false);
    const s = numberLE(signature.subarray(32));
    if (s >= L || A.isSmallOrder()) return false;
    const hashed = new Uint8Array(64 + message.length);
    hashed.set(signature.subarray(0, 32), 0);
    hashed.set(publicKey, 32);
    hashed.set(message, 64);
    const k = numberLE(sha512(hashed)) % L;
    // [8]([s]B) == [8](R + [k]A)
    const keyHex = Array.from(publicKey, (b) => b.toString(16).padStart(2, '0')).join('');
    return multiply(tableFor('base', Point.BASE), s)
      .subtract(R.add(multiply(tableFor(keyHex, A), k)))
      .clearCofactor()
      .is0();
  } catch {
    return false; // a point that does not decode is no signature
  }
}
