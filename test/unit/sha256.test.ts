import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/contract/sha256';

/** The workflow's pure SHA-256 must agree with node:crypto byte for byte. */
describe('sha256Hex', () => {
  const node = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');

  it.each(['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'Grüße, 世界 🚀'])(
    'matches node:crypto for %j',
    (text) => {
      expect(sha256Hex(text)).toBe(node(text));
    },
  );

  it('matches node:crypto on random bytes of many lengths', () => {
    for (let len = 0; len < 300; len += 7) {
      const bytes = new Uint8Array(randomBytes(len));
      expect(sha256Hex(bytes)).toBe(node(bytes));
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level so equal values hash alike', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('drops undefined fields as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('prints what the first, array-building version printed (hashes recorded with it stay valid)', () => {
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson([1, , undefined, { b: undefined }])).toBe(reference([1, , undefined, { b: undefined }]));
    fc.assert(
      fc.property(fc.anything({ withSparseArray: true }), (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
    );
  });
});
