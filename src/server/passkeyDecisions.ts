import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { Principal } from '../auth/authenticator';
import { assertionOptions, PasskeyError, verifiedAssertion, type RelyingParty } from '../auth/passkeys';
import { canonicalJson } from '../contract/sha256';
import {
  challengeOf,
  coveredEvidence,
  evidenceDigest,
  PASSKEY_BINDING_FORMAT,
  type PasskeyAssertion,
  type PasskeyBinding,
} from '../contract/passkeyBinding';
import { authorize, Refusal } from '../contract/policy';
import { factsFromView } from '../contract/runFacts';
import { REFUSAL_TYPES, type RunStateView } from '../contract/definitions';
import type { z } from 'zod';
import type { decisionPasskeySchema } from './api';
import { publicOrigin, type ServerContext } from './deps';
import { HttpError } from './errors';
import { assertMayReadView, personOf } from './runAccess';
import { RefusalError } from './temporalRuns';

/**
 * The server's part of a decision signed with a passkey. First the challenge: golive binds the
 * exact decision (run, step, approve or reject, the comment, the person, the latest hash of
 * every evidence item the step covers), adds a one-use nonce, and asks the person's
 * authenticator to sign the binding's digest. Then the decision: the assertion must answer that
 * challenge, for the same decision, from one of the person's own passkeys, with user
 * verification — checked here with @simplewebauthn/server before golive signs the message that
 * carries it (with the passkey's public key) to the workflow.
 */

const CHALLENGE_TTL_MS = 5 * 60_000;

/** The relying party passkeys are bound to: the configured id, else the public URL's or the request's host. */
export function relyingParty(ctx: ServerContext, req: Request): RelyingParty {
  const origin = publicOrigin(ctx, req);
  const host = new URL(origin).hostname;
  const rpId = ctx.deps.webauthnRpId ?? host;
  if (/^[\d.]+$/.test(rpId) || rpId.includes(':') || rpId.startsWith('[')) {
    throw new HttpError(
      400,
      `passkeys are bound to a domain name, and this page is at the address ${host}: open golive at http://localhost:${new URL(origin).port || 80} on this machine, or set GOLIVE_PUBLIC_URL to its https name`,
    );
  }
  if (host !== rpId && !host.endsWith(`.${rpId}`))
    throw new HttpError(400, `this page (${host}) is not under the passkey domain ${rpId} (GOLIVE_WEBAUTHN_RP_ID)`);
  return { rpId, origin };
}

function passkeyStep(view: RunStateView, stepId: string) {
  const step = view.steps.find((s) => s.id === stepId);
  if (!step) throw new HttpError(404, `no step "${stepId}" in this run`, { reason: REFUSAL_TYPES.unknownStep });
  if (step.kind !== 'approval' || !step.passkey)
    throw new HttpError(400, `"${stepId}" is not decided with a passkey: send the decision without one`, {
      issues: [{ path: 'stepId', message: 'not a passkey step' }],
    });
  return step;
}

export interface ChallengeRequest {
  runId: string;
  stepId: string;
  decision: 'approve' | 'reject';
  comment?: string | undefined;
}

/** The WebAuthn request options for this decision, and the binding its challenge derives from. */
export async function decisionChallenge(ctx: ServerContext, req: Request, principal: Principal, r: ChallengeRequest) {
  const view = await ctx.runs.state(r.runId);
  assertMayReadView(r.runId, view, principal);
  const step = passkeyStep(view, r.stepId);
  // Refusals the decision would meet anyway are said now, before the person is asked for their device.
  const verdict = authorize(factsFromView(view), personOf(principal), {
    kind: 'decide',
    stepId: r.stepId,
    decision: r.decision,
    passkey: true,
  });
  if (verdict instanceof Refusal) throw new RefusalError(verdict.type, verdict.message, 'server');
  const passkeys = await ctx.passkeys.list(principal.person.id);
  if (passkeys.length === 0) {
    throw new HttpError(
      409,
      `"${r.stepId}" is decided with your passkey, and you have none registered: add one on the Passkeys page (/passkeys), then decide`,
      { reason: 'NoPasskey' },
    );
  }
  const rp = relyingParty(ctx, req);
  const evidence = coveredEvidence(view.evidence, step.covers ?? []);
  const binding: PasskeyBinding = {
    format: PASSKEY_BINDING_FORMAT,
    runId: r.runId,
    stepId: r.stepId,
    decision: r.decision,
    comment: r.comment ?? '',
    personId: principal.person.id,
    evidence,
    evidenceHash: evidenceDigest(evidence),
    rpId: rp.rpId,
    origin: rp.origin,
    nonce: randomBytes(18).toString('base64url'),
    issuedAt: new Date().toISOString(),
  };
  await ctx.oneTime.put('passkey-decision', binding.nonce, { binding }, CHALLENGE_TTL_MS, principal.person.id);
  const challenge = new Uint8Array(createHash('sha256').update(canonicalJson(binding)).digest());
  const options = await assertionOptions(rp, challenge, passkeys);
  return { options, binding };
}

type DecisionPasskey = z.infer<typeof decisionPasskeySchema>;

const passkeyIssue = (message: string) =>
  new HttpError(400, `the passkey approval cannot be used: ${message}`, { issues: [{ path: 'passkey', message }] });

/** Checks the browser's passkey answer for this decision; returns the assertion the signed message carries. */
export async function verifiedDecisionPasskey(
  ctx: ServerContext,
  principal: Principal,
  r: Required<Omit<ChallengeRequest, 'comment'>> & { comment: string },
  passkey: DecisionPasskey,
): Promise<PasskeyAssertion> {
  const { binding, response } = passkey;
  const asked = {
    runId: r.runId,
    stepId: r.stepId,
    decision: r.decision,
    comment: r.comment,
    personId: principal.person.id,
  };
  for (const [field, value] of Object.entries(asked)) {
    if (binding[field as keyof typeof asked] !== value)
      throw passkeyIssue(
        `it was made for another ${field === 'personId' ? 'person' : field} than this decision: ask for a new challenge`,
      );
  }
  const issued = await ctx.oneTime.take<{ binding: PasskeyBinding }>(
    'passkey-decision',
    binding.nonce,
    principal.person.id,
  );
  if (!issued || canonicalJson(issued.binding) !== canonicalJson(binding))
    throw passkeyIssue('its challenge expired, was used already or was not issued to you: decide again');
  const stored = await ctx.passkeys.get(response.id);
  if (!stored || stored.userId !== principal.person.id)
    throw passkeyIssue('it was made with a passkey that is not registered to you');
  let counter: number;
  try {
    counter = await verifiedAssertion(
      { rpId: binding.rpId, origin: binding.origin },
      challengeOf(binding),
      stored,
      response,
    );
  } catch (err) {
    if (err instanceof PasskeyError) throw passkeyIssue(err.message);
    throw err;
  }
  await ctx.passkeys.used(stored.credentialId, counter);
  return {
    binding,
    credentialId: stored.credentialId,
    authenticatorData: response.response.authenticatorData,
    clientDataJSON: response.response.clientDataJSON,
    signature: response.response.signature,
    ...(response.response.userHandle ? { userHandle: response.response.userHandle } : {}),
    publicKey: { algorithm: stored.algorithm, spki: stored.spki },
  };
}
