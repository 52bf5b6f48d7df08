import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { COMPRESSED_ENCODING, LargePayloadCompression } from '../../src/temporal/largePayloads';

/** Large payloads stored compressed (src/temporal/largePayloads.ts); small ones left as Temporal shows them. */

const encodingOf = (p: { metadata?: Record<string, Uint8Array> | null }) =>
  Buffer.from(p.metadata?.encoding ?? []).toString();

describe('LargePayloadCompression', () => {
  const codec = new LargePayloadCompression(1024);
  const small = defaultPayloadConverter.toPayload({ note: 'short' });
  const large = defaultPayloadConverter.toPayload({ reports: Array.from({ length: 200 }, (_, i) => `report ${i}`) });

  it('leaves payloads up to the threshold untouched (plain JSON in Temporal)', async () => {
    const [out] = await codec.encode([small]);
    expect(out).toBe(small);
    expect(encodingOf(out!)).toBe('json/plain');
  });

  it('compresses a larger payload, and decodes it back, async and sync, metadata included', async () => {
    const [packed] = await codec.encode([large]);
    expect(encodingOf(packed!)).toBe(COMPRESSED_ENCODING);
    expect(packed!.data!.length).toBeLessThan(large.data!.length / 3);
    const [back] = await codec.decode([packed!]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual(defaultPayloadConverter.fromPayload(large));
    expect(encodingOf(back!)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(codec.decodeSync(packed!))).toEqual(
      defaultPayloadConverter.fromPayload(large),
    );
  });

  it('passes payloads it did not compress through decode unchanged', async () => {
    expect(await codec.decode([small])).toEqual([small]);
    expect(codec.decodeSync(small)).toBe(small);
  });
});
