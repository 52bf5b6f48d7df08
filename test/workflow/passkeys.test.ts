import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { buildAuditTrail } from '../../src/audit';
import { verifyPasskeys } from '../../src/audit/passkeys';
import type { Keyring } from '../../src/signing/keyring';
import {
  approveStepUpdate,
  getRunStateQuery,
  REFUSAL_TYPES,
  submitEvidenceUpdate,
} from '../../src/contract/definitions';
import {
  challengeOf,
  coveredEvidence,
  evidenceDigest,
  PASSKEY_BINDING_FORMAT,
  type PasskeyAssertion,
  type PasskeyBinding,
} from '../../src/contract/passkeyBinding';
import {
  inputFor,
  people,
  signedActor,
  signedFor,
  startSignedRun,
  stepStatus,
  testKeyring,
  waitForState,
} from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/**
 * The workflow's own check of passkey-signed decisions, with golive's signature valid on every
 * message (as a compromised or buggy server would send them): a step the runbook marks `passkey`
 * refuses a decision without an assertion, and one whose assertion is bound to another comment
 * or another challenge — before anything reaches history. The workflow has no WebAuthn library
 * (lean bundle): an assertion whose signature is forged but whose binding fits is accepted, and
 * `golive verify`'s offline check is what catches it, naming the decision.
 */

const runbook = {
  steps: [
    {
      id: 'validation',
      kind: 'evidence' as const,
      title: 'Validation',
      items: [{ id: 'report', title: 'Report', type: 'text' as const, submittedBy: ['implementation-engineer'] }],
    },
    {
      id: 'gate-4',
      kind: 'approval' as const,
      title: 'Gate 4',
      approvers: [{ role: 'guardian' }],
      covers: ['validation'],
      deadline: '1h',
      passkey: true,
    },
    {
      id: 'hypercare',
      kind: 'hypercare' as const,
      title: 'Hypercare',
      duration: '1h',
      responseDeadline: '1h',
      notifyOnReport: ['operations'],
      stopAuthority: ['guardian'],
    },
  ],
};

const refusalOf = (err: unknown) =>
  err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure
    ? { type: err.cause.type, message: err.cause.message }
    : { type: String(err), message: '' };
const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A real P-256 key the "passkey" claims to be; its signature below is random bytes, not made with it. */
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const USER_PRESENT_AND_VERIFIED = 0x05;

/** An assertion with the shape a browser sends, bound to `binding`, for the right relying party, with a forged signature. */
function assertionFor(binding: PasskeyBinding, challenge = challengeOf(binding)): PasskeyAssertion {
  const authenticatorData = Buffer.concat([
    createHash('sha256').update(binding.rpId).digest(),
    Buffer.from([USER_PRESENT_AND_VERIFIED, 0, 0, 0, 1]),
  ]);
  return {
    binding,
    credentialId: b64(randomBytes(16)),
    authenticatorData: b64(authenticatorData),
    clientDataJSON: b64(JSON.stringify({ type: 'webauthn.get', challenge, origin: binding.origin })),
    signature: b64(randomBytes(70)),
    publicKey: { algorithm: -7, spki: b64(publicKey.export({ format: 'der', type: 'spki' })) },
  };
}

describe('passkey-signed decisions: what the workflow checks itself', () => {
  let client: Client;
  let ring: Keyring;
  beforeAll(async () => {
    client = await testClient();
    ring = testKeyring();
  });
  afterAll(async () => client.connection.close());

  it('refuses a missing or unbound assertion before history; verify catches a forged signature the workflow let through', async () => {
    const worker = await testWorker();
    await worker.run(async () => {
      const handle = await startSignedRun(client, worker.taskQueue, inputFor(runbook), ring.current);
      await waitForState(handle, (s) => stepStatus(s, 'validation') === 'waiting');
      const evidence = {
        actor: signedActor(people.engineer),
        stepId: 'validation',
        itemId: 'report',
        value: 'all green',
      };
      await handle.executeUpdate(submitEvidenceUpdate, {
        args: [signedFor(ring.current, handle, 'submitEvidence', evidence)],
      });
      const state = await waitForState(handle, (s) => stepStatus(s, 'gate-4') === 'waiting');
      const items = coveredEvidence(state.evidence, ['validation']);
      const binding: PasskeyBinding = {
        format: PASSKEY_BINDING_FORMAT,
        runId: handle.workflowId,
        stepId: 'gate-4',
        decision: 'approve',
        comment: 'business case holds',
        personId: people.guardian,
        evidence: items,
        evidenceHash: evidenceDigest(items),
        rpId: 'localhost',
        origin: 'http://localhost:8400',
        nonce: b64(randomBytes(18)),
        issuedAt: new Date().toISOString(),
      };
      const decide = (extra: object, comment = 'business case holds') =>
        handle
          .executeUpdate(approveStepUpdate, {
            args: [
              signedFor(ring.current, handle, 'approveStep', {
                actor: signedActor(people.guardian),
                stepId: 'gate-4',
                comment,
                ...extra,
              }),
            ],
          })
          .then(() => ({ type: 'accepted', message: '' }), refusalOf);
      /** Updates the run accepted into its history (notifications and timers may add other events meanwhile). */
      const acceptedUpdates = async () =>
        ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
          .length;
      const acceptedBefore = await acceptedUpdates();

      const bare = await decide({});
      expect(bare.type).toBe(REFUSAL_TYPES.passkeyRequired);
      expect(bare.message).toContain('Register one on the Passkeys page (/passkeys)');
      const otherComment = await decide({ passkey: assertionFor(binding) }, 'ship everything');
      expect(otherComment).toEqual({
        type: REFUSAL_TYPES.passkeyMismatch,
        message: expect.stringContaining(
          'the passkey signed a different comment ("business case holds") than this decision ("ship everything")',
        ),
      });
      const otherChallenge = await decide({
        passkey: assertionFor(binding, challengeOf({ ...binding, nonce: b64(randomBytes(18)) })),
      });
      expect(otherChallenge).toEqual({
        type: REFUSAL_TYPES.passkeyMismatch,
        message: expect.stringContaining('the passkey signed another challenge'),
      });
      // Refused in the validator: nothing was written.
      expect(await acceptedUpdates()).toBe(acceptedBefore);
      expect((await handle.query(getRunStateQuery)).decisions).toEqual([]);

      // Bound but with a signature no passkey made: the workflow cannot tell; verify can.
      expect(await decide({ passkey: assertionFor(binding) })).toEqual({ type: 'accepted', message: '' });
      expect(await acceptedUpdates()).toBe(acceptedBefore + 1);
      const trail = await buildAuditTrail({ client, workflowId: handle.workflowId, refusals: [] });
      const decision = trail.entries.find((e) => e.kind === 'decision' && e.stepId === 'gate-4')!;
      expect(verifyPasskeys(handle.workflowId, trail.entries)).toEqual({
        ok: false,
        seq: decision.seq,
        reason: `entry ${decision.seq} (decision by ${people.guardian} on "gate-4"): the passkey's signature does not match what it claims to have signed`,
      });
      await handle.terminate('test over');
    });
  });
});
