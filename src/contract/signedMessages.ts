import { hexToBytes, verifyEd25519 } from './ed25519';
import { canonicalJson } from './sha256';

/**
 * The contract between the golive server, which signs every message it sends to a run, and
 * the workflow, which verifies it before anything reaches history (and `golive verify`, which
 * checks it again offline). Temporal is not an access boundary: anyone who reaches the
 * namespace can send an Update naming any actor. Only the server holds the private key, so a
 * message that verifies against a key the run pinned at start was sent by golive, for the
 * person golive authenticated, for this run, once, recently.
 *
 * What is signed: the canonical JSON (sorted keys) of the envelope below, whose payload is the
 * message exactly as sent minus its `signature` field. Pure; no zod, no I/O.
 */

const SIGNED_MESSAGE_FORMAT = 'golive-message/1';

/** How old a signed message may be when the run first sees it, and how far in the future. */
export const MESSAGE_MAX_AGE_MS = 10 * 60_000;
const MESSAGE_MAX_SKEW_MS = 2 * 60_000;

export interface MessageSignature {
  /** The pinned key that signed it (first 16 hex digits of the public key's SHA-256). */
  keyId: string;
  /** When the server signed it (ISO 8601). */
  at: string;
  /** Unique per message: a run accepts each nonce once. */
  nonce: string;
  /** The Ed25519 signature, hex. */
  value: string;
}

export interface PinnedKey {
  keyId: string;
  algorithm: 'ed25519';
  /** The raw 32-byte public key, hex. */
  publicKey: string;
}

export interface SignedEnvelope {
  format: typeof SIGNED_MESSAGE_FORMAT;
  /** The golive run id (Temporal workflow id): a signature for one run is worthless in another. */
  runId: string;
  /** The Update or Signal name, or "start" for the run's input. */
  message: string;
  payload: unknown;
  at: string;
  nonce: string;
  keyId: string;
}

export function envelopeOf(
  runId: string,
  message: string,
  payload: unknown,
  sig: Omit<MessageSignature, 'value'>,
): SignedEnvelope {
  return { format: SIGNED_MESSAGE_FORMAT, runId, message, payload, at: sig.at, nonce: sig.nonce, keyId: sig.keyId };
}

export function envelopeBytes(envelope: SignedEnvelope): Uint8Array {
  return new TextEncoder().encode(canonicalJson(envelope));
}

/** A message split into what was signed and its signature (absent, or not shaped like one). */
export function splitSigned(message: unknown): { payload: Record<string, unknown>; signature?: MessageSignature } {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return { payload: {} };
  const { signature, ...payload } = message as Record<string, unknown>;
  return isSignature(signature) ? { payload, signature } : { payload };
}

function isSignature(v: unknown): v is MessageSignature {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.keyId === 'string' &&
    typeof s.at === 'string' &&
    typeof s.nonce === 'string' &&
    /^[A-Za-z0-9_-]{16,64}$/.test(s.nonce) &&
    typeof s.value === 'string' &&
    /^[0-9a-f]{128}$/.test(s.value)
  );
}

export type SignatureCheck =
  | { ok: true; signature: MessageSignature }
  | { ok: false; problem: 'unsigned' | 'unknown-key' | 'bad-signature' | 'stale' | 'replayed'; reason: string };

export interface SignatureContext {
  runId: string;
  keys: readonly PinnedKey[];
  nowMs: number;
  /** Has the run accepted a message with this nonce already? */
  seen(nonce: string): boolean;
}

/** Is this message signed by a key the run pinned, for this run and message, fresh and new? */
export function checkSignature(ctx: SignatureContext, messageName: string, message: unknown): SignatureCheck {
  const { payload, signature } = splitSigned(message);
  if (!signature)
    return {
      ok: false,
      problem: 'unsigned',
      reason: `${messageName} is not signed by golive: messages sent to a run without the golive server are refused`,
    };
  const key = ctx.keys.find((k) => k.keyId === signature.keyId);
  const publicKey = key && hexToBytes(key.publicKey);
  if (!publicKey)
    return {
      ok: false,
      problem: 'unknown-key',
      reason: `${messageName} is signed with key ${signature.keyId}, which this run did not pin`,
    };
  const bytes = envelopeBytes(envelopeOf(ctx.runId, messageName, payload, signature));
  const sig = hexToBytes(signature.value);
  if (!sig || !verifyEd25519(sig, bytes, publicKey)) {
    return {
      ok: false,
      problem: 'bad-signature',
      reason: `${messageName} carries a signature that does not match its content, this run or this message name`,
    };
  }
  const at = Date.parse(signature.at);
  if (!Number.isFinite(at) || ctx.nowMs - at > MESSAGE_MAX_AGE_MS || at - ctx.nowMs > MESSAGE_MAX_SKEW_MS) {
    return {
      ok: false,
      problem: 'stale',
      reason: `${messageName} was signed at ${signature.at}, outside the ${MESSAGE_MAX_AGE_MS / 60_000} minutes a signed message is valid`,
    };
  }
  if (ctx.seen(signature.nonce))
    return {
      ok: false,
      problem: 'replayed',
      reason: `${messageName} with nonce ${signature.nonce} was accepted before: a signed message counts once`,
    };
  return { ok: true, signature };
}

/** The name the start input is signed under. */
export const START_MESSAGE = 'start';

/**
 * What the start signature covers: the run's input as given to Temporal, minus the signature
 * itself (its pinned keys are covered) and minus what continue-as-new adds.
 */
export function startPayload(input: {
  signing?: { keys: readonly PinnedKey[] } | undefined;
  carried?: unknown;
}): Record<string, unknown> {
  const { carried: _carried, signing, ...rest } = input;
  return { ...rest, ...(signing ? { signing: { keys: signing.keys } } : {}) };
}
