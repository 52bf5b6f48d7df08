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
