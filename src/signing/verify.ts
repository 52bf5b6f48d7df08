import { createPublicKey, verify } from 'node:crypto';
import { envelopeBytes, envelopeOf, type MessageSignature, type PinnedKey } from '../contract/signedMessages';

/**
 * Offline check of a signed message with node:crypto (OpenSSL), independent of the pure-JS
 * verifier the workflow runs: `golive verify` uses this on every decision in a dossier, so a
 * bug in one implementation is caught by the other in the tests.
 */

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function publicKeyObject(pinned: PinnedKey) {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(pinned.publicKey, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

export function verifyWithNode(
  pinned: PinnedKey,
  runId: string,
  message: string,
  payload: unknown,
  signature: MessageSignature,
): boolean {
  try {
    const bytes = envelopeBytes(envelopeOf(runId, message, payload, signature));
    return verify(null, bytes, publicKeyObject(pinned), Buffer.from(signature.value, 'hex'));
  } catch {
    return false;
  }
}
