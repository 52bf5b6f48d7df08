import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Large payloads stored compressed. A long hypercare carries its whole record (every report,
 * escalation, recorded notification) into each continue-as-new and returns it as the run's
 * result; past Temporal's 2 MB limit per payload that command is refused and the run cannot go
 * on (issue 16: at ≈4,800 reports). The record is repetitive JSON and shrinks ≈10× with gzip.
 * Only payloads above the threshold are touched, so everything else stays plain JSON that
 * Temporal's own UI and CLI show as is; golive's clients, workers and audit trail decode these.
 */
export const COMPRESSED_ENCODING = 'binary/golive-gzip';

/** Temporal warns above 512 KB per payload; compress well before it. */
export const COMPRESS_ABOVE_BYTES = 256 * 1024;

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const ENCODING_BYTES = new TextEncoder().encode(COMPRESSED_ENCODING);
const { Payload: PayloadProto } = temporal.api.common.v1;

export class LargePayloadCompression implements PayloadCodec {
  constructor(private readonly threshold = COMPRESS_ABOVE_BYTES) {}

  // Every payload of every activation passes here (a decision's input and answer among them):
  // the common case, nothing to do, costs one settled promise and no per-payload ones.
  encode(payloads: Payload[]): Promise<Payload[]> {
    if (!payloads.some((p) => payloadBytes(p) > this.threshold)) return Promise.resolve(payloads);
    return Promise.all(payloads.map((p) => (payloadBytes(p) > this.threshold ? compress(p) : p)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    if (!payloads.some(isCompressed)) return Promise.resolve(payloads);
    return Promise.all(payloads.map(async (p) => (isCompressed(p) ? PayloadProto.decode(await gunzip(p.data!)) : p)));
  }

  /** The same, without a promise: the audit trail reads thousands of payloads in one pass. */
  decodeSync(payload: Payload): Payload {
    return isCompressed(payload) ? PayloadProto.decode(zlib.gunzipSync(payload.data!)) : payload;
  }
}

async function compress(p: Payload): Promise<Payload> {
  const data = await gzip(PayloadProto.encode(p).finish());
  return { metadata: { encoding: ENCODING_BYTES }, data };
}

function payloadBytes(p: Payload): number {
  return p.data?.length ?? 0;
}

function isCompressed(p: Payload): boolean {
  const encoding = p.metadata?.encoding;
  if (encoding === undefined || encoding === null || encoding.length !== ENCODING_BYTES.length) return false;
  return Buffer.from(encoding).toString() === COMPRESSED_ENCODING;
}

/**
 * gRPC's own limit on a received message is 4 MB, and a page of a long run's history (up to 1,000
 * events, each report's text in its Update's input and result) passes it. The SDK means to raise it
 * but names the option without its `grpc.` prefix, which gRPC ignores; golive's clients name it.
 */
export const LARGE_MESSAGE_CHANNEL_ARGS = { 'grpc.max_receive_message_length': 128 * 1024 * 1024 } as const;

/** The data converter every golive client and worker uses. */
export const goliveDataConverter = { payloadCodecs: [new LargePayloadCompression()] };
