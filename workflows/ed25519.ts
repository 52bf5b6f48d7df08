import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

/**
 * Ed25519 signature verification (RFC 8032, strict: canonical S, no small-order keys) that runs
 * inside the workflow sandbox, where node:crypto does not exist. Built on noble's audited point
 * arithmetic and SHA-512, but without noble's `verify`: that one multiplies the base point
 * through a 4,224-point table it builds on first use, and the workflow bundle's modules are
 * evaluated once per cached run, so the table would cost about a megabyte per open run. A plain
 * double-and-add for both scalars costs ~3 ms per message instead, and no memory.
 *
 * Pure math over its inputs: the same bytes give the same answer on every replay.
 */

const L = Point.CURVE().n;

function numberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** n·P by double-and-add; variable time is fine: everything here is public. */
function multiply(p: Point, n: bigint): Point {
  let acc = Point.ZERO;
  let d = p;
  for (let k = n; k > 0n; k >>= 1n) {
    if (k & 1n) acc = acc.add(d);
    d = d.double();
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
    return multiply(Point.BASE, s)
      .subtract(R.add(multiply(A, k)))
      .clearCofactor()
      .is0();
  } catch {
    return false; // a point that does not decode is no signature
  }
}
