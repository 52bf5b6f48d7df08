import { hexToBytes } from './ed25519';
import { canonicalJson, sha256Hex } from './sha256';

/**
 * The contract between the approver's passkey, the golive server, the workflow and `golive
 * verify` for steps a runbook marks `passkey: true`. The challenge the approver's authenticator
 * signs is derived from the exact decision (the binding below): run, step, approve or reject,
 * the comment, the person, and the SHA-256 of every evidence item the step covers. So the
 * WebAuthn assertion proves that this person's device approved exactly that; no server key can
 * make one.
 *
 * The server verifies the assertion's signature (@simplewebauthn/server) before it signs the
 * message; `golive verify` checks it again offline with node:crypto. The workflow has no
 * WebAuthn library (its bundle stays lean): it checks that an assertion is there and bound to
 * the decision it records — the binding says what is being decided, and the client data the
 * authenticator signed carries this binding's challenge. Pure; no zod, no I/O.
 */

export const PASSKEY_BINDING_FORMAT = 'golive-passkey-decision/1';

export interface CoveredEvidence {
  stepId: string;
  itemId: string;
  sha256: string;
}

/** What the approver's passkey signs (through its challenge). */
export interface PasskeyBinding {
  format: typeof PASSKEY_BINDING_FORMAT;
  /** The golive run id (Temporal workflow id). */
  runId: string;
  stepId: string;
  decision: 'approve' | 'reject';
  /** The comment exactly as recorded ('' for none). */
  comment: string;
  personId: string;
  /** The latest submission of each item of the covered steps, sorted by step and item. */
  evidence: CoveredEvidence[];
  /** The digest the decision record keeps (evidenceDigest of `evidence`). */
  evidenceHash: string;
  /** The WebAuthn relying party and the web origin the assertion was made for. */
  rpId: string;
  origin: string;
  /** Issued by the server with the challenge, used once, valid for minutes. */
  nonce: string;
  issuedAt: string;
}

/** A passkey's assertion over a decision, as the signed message carries it (base64url fields). */
export interface PasskeyAssertion {
  binding: PasskeyBinding;
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userHandle?: string | undefined;
  /** The credential's public key as registered: SPKI (DER, base64url) and its COSE algorithm. */
  publicKey: { algorithm: number; spki: string };
}

/** The latest submission of each item of the covered steps, in a stable order. */
export function coveredEvidence(evidence: readonly CoveredEvidence[], covers: readonly string[]): CoveredEvidence[] {
  const latest = new Map<string, CoveredEvidence>();
  for (const e of evidence)
    if (covers.includes(e.stepId))
      latest.set(`${e.stepId}/${e.itemId}`, { stepId: e.stepId, itemId: e.itemId, sha256: e.sha256 });
  return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, e]) => e);
}

/** The digest a decision record keeps of the evidence it covered (the same lines RunState hashes). */
export function evidenceDigest(items: readonly CoveredEvidence[]): string {
  const lines = [...items]
    .map((e) => [`${e.stepId}/${e.itemId}`, e.sha256] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return sha256Hex(lines.map(([k, h]) => `${k}:${h}`).join('\n'));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

function base64urlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of text) {
    acc = (acc << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The WebAuthn challenge for a binding: base64url of the SHA-256 of its canonical JSON. */
export function challengeOf(binding: PasskeyBinding): string {
  return base64urlEncode(hexToBytes(sha256Hex(canonicalJson(binding)))!);
}

/** The client data the authenticator signed over (its type, challenge and origin), if it parses. */
export function clientDataOf(
  clientDataJSON: string,
): { type?: unknown; challenge?: unknown; origin?: unknown } | undefined {
  const bytes = base64urlDecode(clientDataJSON);
  if (!bytes) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The decision as the run records it, which the binding must name exactly. */
export interface DecisionFacts {
  runId: string;
  stepId: string;
  decision: 'approve' | 'reject';
  comment: string;
  personId: string;
  evidenceHash: string;
}

/**
 * Why an assertion is not bound to this decision, or undefined when it is: the binding names
 * this run, step, decision, comment, person and evidence; its evidence list is what its digest
 * says; and the client data the passkey signed is a WebAuthn assertion over the binding's
 * challenge from the binding's origin. (The signature itself is checked by the server and by
 * `golive verify`.)
 */
export function bindingProblem(decision: DecisionFacts, assertion: PasskeyAssertion): string | undefined {
  const b = assertion.binding;
  const fields: [keyof DecisionFacts, string][] = [
    ['runId', 'run'],
    ['stepId', 'step'],
    ['decision', 'decision'],
    ['comment', 'comment'],
    ['personId', 'person'],
    ['evidenceHash', 'evidence'],
  ];
  for (const [field, what] of fields) {
    if (b[field] !== decision[field]) {
      return field === 'evidenceHash'
        ? 'the evidence this step covers changed after the passkey signed the decision: decide again'
        : `the passkey signed a different ${what} (${JSON.stringify(b[field])}) than this decision (${JSON.stringify(decision[field])})`;
    }
  }
  if (evidenceDigest(b.evidence) !== b.evidenceHash)
    return 'the evidence list the passkey signed does not match its digest';
  const client = clientDataOf(assertion.clientDataJSON);
  if (!client) return 'the client data of the passkey assertion is not readable JSON';
  if (client.type !== 'webauthn.get')
    return `the client data is of type ${String(client.type)}, not a WebAuthn assertion (webauthn.get)`;
  if (client.challenge !== challengeOf(b))
    return 'the passkey signed another challenge than the one derived from this decision';
  if (client.origin !== b.origin) return `the passkey assertion was made at ${String(client.origin)}, not ${b.origin}`;
  return undefined;
}
