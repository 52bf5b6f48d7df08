import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, signed } from '../../src/signing/keyring';
import { verifyWithNode } from '../../src/signing/verify';
import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { verifyEd25519 } from '../../src/contract/ed25519';
import { checkSignature, splitSigned } from '../../src/contract/signedMessages';

function rawPublic(key: ReturnType<typeof generateKeyPairSync>['publicKey']): Uint8Array {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
}

describe('the workflow’s Ed25519 verifier', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = rawPublic(publicKey);

  it('agrees with node:crypto on genuine and tampered signatures (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.nat(63),
        fc.integer({ min: 1, max: 255 }),
        (message, at, flip) => {
          const sig = new Uint8Array(sign(null, message, privateKey));
          expect(verifyEd25519(sig, message, pub)).toBe(true);
          const bad = sig.slice();
          bad[at] = bad[at]! ^ flip;
          expect(verifyEd25519(bad, message, pub)).toBe(false);
          if (message.length > 0) {
            const other = message.slice();
            other[0] = other[0]! ^ flip;
            expect(verifyEd25519(sig, other, pub)).toBe(false);
          }
        },
      ),
      { numRuns: 60, seed: 20261202 },
    );
  });

  it('refuses another key, a short signature and a non-canonical S', () => {
    const message = new TextEncoder().encode('approve');
    const sig = new Uint8Array(sign(null, message, privateKey));
    const other = rawPublic(generateKeyPairSync('ed25519').publicKey);
    expect(verifyEd25519(sig, message, other)).toBe(false);
    expect(verifyEd25519(sig.slice(0, 63), message, pub)).toBe(false);
    const highS = sig.slice();
    highS[63] = 0xff; // S ≥ L
    expect(verifyEd25519(highS, message, pub)).toBe(false);
    const identity = new Uint8Array(32);
    identity[0] = 1; // the neutral point: a small-order key any signature with S = 0 would "match"
    const forged = new Uint8Array(64);
    forged[0] = 1; // R = neutral point, S = 0
    expect(verifyEd25519(forged, message, identity)).toBe(false);
    expect(verifyEd25519(forged, message, identity)).toBe(false); // refused again, not remembered as a key
  });

  it('checks with the cofactor: a key with a small-order part verifies what its signer signed, and nothing else', () => {
    // A = a·B + T (T of order 8) is no small-order key; [8](s·B − R − k·A) = [8](−k·T) = 0. The
    // tables' multiples of A then carry T too, which the sums must handle like any other point.
    const { n: L } = Point.CURVE();
    const T = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa');
    expect(T.multiply(8n, false).is0()).toBe(true);
    const a = 0x1234567890abcdefn * 7919n + 13n;
    const A = Point.BASE.multiply(a).add(T).toBytes();
    const message = new TextEncoder().encode('approve with a mixed-order key');
    const r = 0xfeedbeefn * 104729n;
    const R = Point.BASE.multiply(r).toBytes();
    const k =
      BigInt(
        `0x${Buffer.from(sha512(new Uint8Array([...R, ...A, ...message])))
          .reverse()
          .toString('hex')}`,
      ) % L;
    const s = (r + k * a) % L;
    const sig = new Uint8Array([...R, ...Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse()]);
    expect(verifyEd25519(sig, message, A)).toBe(true);
    expect(verifyEd25519(sig, new TextEncoder().encode('something else'), A)).toBe(false);
  });

  it('keeps each key’s table apart, past the number of tables it keeps', () => {
    const message = new TextEncoder().encode('submit evidence');
    const pairs = Array.from({ length: 20 }, () => generateKeyPairSync('ed25519'));
    const sigs = pairs.map((p) => new Uint8Array(sign(null, message, p.privateKey)));
    for (let round = 0; round < 2; round++) {
      pairs.forEach((p, i) => {
        expect(verifyEd25519(sigs[i]!, message, rawPublic(p.publicKey))).toBe(true);
        expect(verifyEd25519(sigs[(i + 1) % pairs.length]!, message, rawPublic(p.publicKey))).toBe(false);
      });
    }
  });
});

describe('signed messages', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-keys-'));
  const ring = Keyring.loadOrCreate(dir);
  const keys = ring.publicKeys();
  const now = Date.now();
  const ctx = (seen: string[] = []) => ({
    runId: 'golive-x-1',
    keys,
    nowMs: now,
    seen: (n: string) => seen.includes(n),
  });
  const message = signed(ring.current, 'golive-x-1', 'approveStep', {
    actor: { id: 'gina', roles: ['guardian'] },
    stepId: 'gate-4',
    comment: 'ok',
    role: undefined,
  });

  it('keeps its keys in a private folder, one file per key, and reloads the same current key', () => {
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    expect(Keyring.loadOrCreate(dir).current.keyId).toBe(ring.current.keyId);
  });

  it('verifies in the workflow and offline with node:crypto', () => {
    expect(checkSignature(ctx(), 'approveStep', message)).toMatchObject({ ok: true });
    const { payload, signature } = splitSigned(message);
    expect(verifyWithNode(keys[0]!, 'golive-x-1', 'approveStep', payload, signature!)).toBe(true);
  });

  it('refuses unsigned, altered, other-run, other-message, replayed and stale messages, naming why', () => {
    const problem = (m: unknown, name = 'approveStep', c = ctx()) => {
      const r = checkSignature(c, name, m);
      return r.ok ? 'ok' : r.problem;
    };
    expect(problem({ actor: { id: 'gina' }, stepId: 'gate-4' })).toBe('unsigned');
    expect(problem({ ...message, comment: 'changed' })).toBe('bad-signature');
    expect(problem({ ...message, actor: { id: 'mallory', roles: ['guardian'] } })).toBe('bad-signature');
    expect(problem(message, 'rejectStep')).toBe('bad-signature');
    expect(problem(message, 'approveStep', { ...ctx(), runId: 'golive-y-2' })).toBe('bad-signature');
    expect(problem(message, 'approveStep', ctx([message.signature.nonce]))).toBe('replayed');
    expect(problem(message, 'approveStep', { ...ctx(), nowMs: now + 11 * 60_000 })).toBe('stale');
    expect(problem({ ...message, signature: { ...message.signature, keyId: '0123456789abcdef' } })).toBe('unknown-key');
  });

  it('after a rotation, new runs pin the new key and the old one still signs for runs that pinned it', () => {
    const old = ring.current.keyId;
    const fresh = Keyring.rotate(dir);
    const reloaded = Keyring.loadOrCreate(dir);
    expect(reloaded.current.keyId).toBe(fresh);
    expect(reloaded.keyFor([old])?.keyId).toBe(old);
    expect(reloaded.publicKeys().map((k) => k.keyId)).toEqual([fresh, old]);
  });
});
