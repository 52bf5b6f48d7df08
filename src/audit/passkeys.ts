import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { bindingProblem, type PasskeyAssertion } from '../contract/passkeyBinding';
import type { AuditEntry } from './entries';

/**
 * Offline proof that an approver's own device approved exactly what the trail shows: every
 * decision on a step the runbook marks `passkey` must carry a WebAuthn assertion whose challenge
 * derives from that decision (run, step, decision, comment, person, the covered evidence's
 * hashes), made at the relying party and origin it names, with user presence and verification,
 * and signed by the credential's public key — checked here with node:crypto (ES256, EdDSA,
 * RS256), independently of the server, which checked it with @simplewebauthn/server. Unlike
 * golive's own Ed25519 signature, no server key can make such an assertion: a forger who holds
 * the server's key and re-signs an altered comment still fails here. Pure over the entries.
 */

export type PasskeyVerdict = { ok: true; checked: number } | { ok: false; seq: number; reason: string };

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const label = (e: AuditEntry) => `entry ${e.seq} (decision by ${e.actor ?? 'someone'} on "${e.stepId ?? '?'}")`;

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;

/** Steps of the run's (signed) runbook that are decided only with a passkey. */
function passkeySteps(started: AuditEntry | undefined): Set<string> {
  const input = asRecord(started?.details.input);
  const steps = asRecord(input?.runbook)?.steps;
  if (!Array.isArray(steps) || !asRecord(input?.signing)) return new Set();
  return new Set(
    steps
      .map(asRecord)
      .filter((s) => s?.kind === 'approval' && s.passkey === true)
      .map((s) => String(s!.id)),
  );
}

function publicKeyOf(a: PasskeyAssertion): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(a.publicKey.spki, 'base64url'), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** The assertion's own cryptography: relying party, flags, and the signature over authenticator data ‖ SHA-256(client data). */
function assertionProblem(a: PasskeyAssertion): string | undefined {
  const authData = Buffer.from(a.authenticatorData, 'base64url');
  if (authData.length < 37) return 'its authenticator data is too short';
  if (!authData.subarray(0, 32).equals(createHash('sha256').update(a.binding.rpId).digest()))
    return `its authenticator data is not for the relying party ${a.binding.rpId}`;
  const flags = authData[32]!;
  if (!(flags & FLAG_USER_PRESENT) || !(flags & FLAG_USER_VERIFIED))
    return 'the authenticator did not verify the person (user presence and verification flags)';
  const key = publicKeyOf(a);
  if (!key) return 'its public key is not a readable SPKI key';
  const signed = Buffer.concat([
    authData,
    createHash('sha256').update(Buffer.from(a.clientDataJSON, 'base64url')).digest(),
  ]);
  const signature = Buffer.from(a.signature, 'base64url');
  const digest = a.publicKey.algorithm === -8 ? null : 'sha256';
  let ok = false;
  try {
    ok = verify(digest, signed, key, signature);
  } catch {
    ok = false;
  }
  return ok ? undefined : "the passkey's signature does not match what it claims to have signed";
}

/** What the entry shows, as the binding must name it. */
function shownDecision(workflowId: string, entry: AuditEntry) {
  return {
    runId: workflowId,
    stepId: entry.stepId ?? '',
    decision: entry.details.decision === 'reject' ? ('reject' as const) : ('approve' as const),
    comment: typeof entry.details.comment === 'string' ? entry.details.comment : '',
    personId: entry.actor ?? '',
    evidenceHash: typeof entry.details.evidenceHash === 'string' ? entry.details.evidenceHash : '',
  };
}

function passkeyOf(entry: AuditEntry): PasskeyAssertion | undefined {
  const payload = asRecord(asRecord(entry.details.signed)?.payload);
  const passkey = asRecord(payload?.passkey);
  return passkey && asRecord(passkey.binding) && asRecord(passkey.publicKey)
    ? (passkey as unknown as PasskeyAssertion)
    : undefined;
}

export function verifyPasskeys(workflowId: string, entries: readonly AuditEntry[]): PasskeyVerdict {
  const required = passkeySteps(entries.find((e) => e.kind === 'run-started'));
  const keys = new Map<string, string>();
  let checked = 0;
  for (const entry of entries) {
    if (entry.kind !== 'decision') continue;
    const assertion = passkeyOf(entry);
    if (!assertion) {
      if (entry.stepId !== undefined && required.has(entry.stepId)) {
        return {
          ok: false,
          seq: entry.seq,
          reason: `${label(entry)} carries no passkey assertion, though the runbook decides "${entry.stepId}" only with the approver's passkey`,
        };
      }
      continue;
    }
    const unbound = bindingProblem(shownDecision(workflowId, entry), assertion);
    if (unbound)
      return {
        ok: false,
        seq: entry.seq,
        reason: `${label(entry)}: its passkey did not approve what the entry shows: ${unbound}`,
      };
    const broken = assertionProblem(assertion);
    if (broken) return { ok: false, seq: entry.seq, reason: `${label(entry)}: ${broken}` };
    // One credential, one key, throughout the record.
    const seen = keys.get(assertion.credentialId);
    if (seen !== undefined && seen !== assertion.publicKey.spki)
      return {
        ok: false,
        seq: entry.seq,
        reason: `${label(entry)}: passkey ${assertion.credentialId} appears with two different public keys`,
      };
    keys.set(assertion.credentialId, assertion.publicKey.spki);
    checked++;
  }
  return { ok: true, checked };
}
