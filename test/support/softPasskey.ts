import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { RunStateView } from '../../src/contract/definitions';
import {
  challengeOf,
  coveredEvidence,
  evidenceDigest,
  PASSKEY_BINDING_FORMAT,
  type PasskeyAssertion,
  type PasskeyBinding,
} from '../../src/contract/passkeyBinding';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software passkey for workflow tests that drive passkey steps (the shipped runbook marks the
 * oversight sign-off, the dossier sign-off and Gate 4): a real P-256 key that signs the decision's
 * challenge the way an authenticator does (ES256 over authenticator data + SHA-256 of the client
 * data), so `golive verify`'s offline check passes on what it signs. The browser tests use
 * Chromium's virtual authenticator instead, through the real WebAuthn ceremony.
 */

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const USER_PRESENT_AND_VERIFIED = 0x05;
const ES256 = -7;
/** Authenticator data flag: attested credential data (the new key) follows. */
const ATTESTED_CREDENTIAL = 0x40;
const RP_ID = 'localhost';
const ORIGIN = 'http://localhost:8400';

export interface SoftPasskey {
  credentialId: string;
  /** The assertion over `binding`, signed by this key. */
  assert(binding: PasskeyBinding): PasskeyAssertion;
}

export function softPasskey(): SoftPasskey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credentialId = b64(randomBytes(16));
  const spki = b64(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    credentialId,
    assert(binding) {
      const authenticatorData = Buffer.concat([
        createHash('sha256').update(binding.rpId).digest(),
        Buffer.from([USER_PRESENT_AND_VERIFIED, 0, 0, 0, 1]),
      ]);
      const clientDataJSON = Buffer.from(
        JSON.stringify({ type: 'webauthn.get', challenge: challengeOf(binding), origin: binding.origin }),
      );
      const signed = Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]);
      return {
        binding,
        credentialId,
        authenticatorData: b64(authenticatorData),
        clientDataJSON: b64(clientDataJSON),
        signature: b64(sign('sha256', signed, privateKey)),
        publicKey: { algorithm: ES256, spki },
      };
    },
  };
}

/** The binding of a decision on `stepId` as the server would issue it, from the run's current evidence. */
export function decisionBinding(
  state: Pick<RunStateView, 'evidence'>,
  decision: { runId: string; stepId: string; personId: string; comment: string; covers: readonly string[] },
  verdict: 'approve' | 'reject' = 'approve',
): PasskeyBinding {
  const evidence = coveredEvidence(state.evidence, decision.covers);
  return {
    format: PASSKEY_BINDING_FORMAT,
    runId: decision.runId,
    stepId: decision.stepId,
    decision: verdict,
    comment: decision.comment,
    personId: decision.personId,
    evidence,
    evidenceHash: evidenceDigest(evidence),
    rpId: RP_ID,
    origin: ORIGIN,
    nonce: b64(randomBytes(18)),
    issuedAt: new Date().toISOString(),
  };
}

/** One software passkey per person, made on first use (a test's approvers each hold their own). */
export function passkeyRing(): (personId: string) => SoftPasskey {
  const keys = new Map<string, SoftPasskey>();
  return (personId) => {
    let key = keys.get(personId);
    if (!key) keys.set(personId, (key = softPasskey()));
    return key;
  };
}

/**
 * A new software passkey's answer to WebAuthn creation options (what `startRegistration` gives a
 * browser): "none" attestation over authenticator data that holds the key as COSE (ES256), the
 * user present and verified. For API tests that register a passkey through real HTTP.
 */
export function softRegistration(
  options: { challenge: string; rp: { id?: string } },
  origin: string,
): { id: string; rawId: string; type: 'public-key'; clientExtensionResults: object; response: object } {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const credentialId = randomBytes(16);
  const cose = isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, ES256],
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
  const length = Buffer.alloc(2);
  length.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([
    createHash('sha256')
      .update(options.rp.id ?? new URL(origin).hostname)
      .digest(),
    Buffer.from([USER_PRESENT_AND_VERIFIED | ATTESTED_CREDENTIAL, 0, 0, 0, 0]),
    Buffer.alloc(16), // AAGUID: none
    length,
    credentialId,
    Buffer.from(cose),
  ]);
  const attestationObject = isoCBOR.encode(
    new Map<string, string | Map<string, string> | Uint8Array>([
      ['fmt', 'none'],
      ['attStmt', new Map<string, string>()],
      ['authData', authData],
    ]),
  );
  const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin });
  return {
    id: b64(credentialId),
    rawId: b64(credentialId),
    type: 'public-key',
    clientExtensionResults: {},
    response: { clientDataJSON: b64(clientDataJSON), attestationObject: b64(Buffer.from(attestationObject)) },
  };
}
