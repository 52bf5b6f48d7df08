import { createHash } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { EvidenceItem } from '../../src/contract/schemas/runbook';
import { sendStepMessage } from '../../src/temporal/runUpdates';
import { decisionBinding, passkeyRing } from './softPasskey';
import {
  approveStepUpdate,
  getRunStateQuery,
  submitEvidenceUpdate,
  type GoLiveInput,
  type RunStateView,
} from '../../src/contract/definitions';
import { FINAL_STATUSES } from '../../src/contract/runStatus';

/**
 * Plays the people of a run: whenever a step waits, the right person submits valid evidence
 * or approves, through the same Updates the API sends. Stops when `until` holds.
 */

export function validEvidence(item: EvidenceItem): unknown {
  switch (item.type) {
    case 'number':
      return item.min ?? item.max ?? 1;
    case 'url':
      return `https://evidence.example.org/${item.id}`;
    case 'document':
      return { name: `${item.id}.pdf`, sha256: createHash('sha256').update(item.id).digest('hex') };
    case 'attestation':
      return true;
    case 'text':
      return `${item.title}: confirmed`;
  }
}

export interface AutopilotOptions {
  /** Steps the autopilot leaves alone (the test decides them itself). */
  skip?: string[];
  comment?: (stepId: string) => string;
  timeoutMs?: number;
}

export async function autopilot(
  handle: WorkflowHandle,
  input: GoLiveInput,
  until: (s: RunStateView) => boolean,
  opts: AutopilotOptions = {},
): Promise<RunStateView> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const stepsById = new Map([...input.runbook.steps.map((s) => [s.id, s] as const)]);
  const passkeyOf = passkeyRing();
  for (;;) {
    const state = await handle.query(getRunStateQuery);
    if (until(state)) return state;
    if (FINAL_STATUSES.includes(state.status)) {
      throw new Error(`the run ended ${state.status} before the autopilot's goal: ${state.failure?.reason ?? ''}`);
    }
    if (Date.now() > deadline)
      throw new Error(`autopilot timed out; steps: ${JSON.stringify(state.steps.map((s) => [s.id, s.status]))}`);
    let acted = false;
    for (const step of state.steps) {
      if (step.status !== 'waiting' || opts.skip?.includes(step.id)) continue;
      const who = step.mayDecide ?? [];
      if (step.kind === 'evidence') {
        const def = step.id === 'entry-criteria' ? { items: input.runbook.entryCriteria } : stepsById.get(step.id);
        // Optional items first: the step completes once the required ones are in.
        const items =
          def && 'items' in def ? [...def.items].sort((a, b) => Number(b.optional) - Number(a.optional)) : [];
        const submitted = new Set(state.evidence.filter((e) => e.stepId === step.id).map((e) => e.itemId));
        for (const item of items) {
          if (submitted.has(item.id)) continue;
          const role = item.submittedBy.find((r) => (input.assignments[r] ?? []).length > 0);
          const person = role ? input.assignments[role]![0]! : undefined;
          if (!role || !person) continue;
          await sendStepMessage(handle, submitEvidenceUpdate, {
            actor: { id: person },
            stepId: step.id,
            itemId: item.id,
            role,
            value: validEvidence(item),
          });
          acted = true;
        }
      } else if (step.kind === 'approval') {
        const first = who.find((w) => w.people.length > 0);
        if (!first) continue;
        const personId = first.people[0]!;
        const comment = opts.comment?.(step.id) ?? `approved by the ${first.role}`;
        const def = stepsById.get(step.id);
        // Steps the runbook marks `passkey` are signed by the approver's own (software) passkey.
        const passkey =
          def?.kind === 'approval' && def.passkey
            ? passkeyOf(personId).assert(
                decisionBinding(state, {
                  runId: handle.workflowId,
                  stepId: step.id,
                  personId,
                  comment,
                  covers: def.covers ?? [],
                }),
              )
            : undefined;
        await sendStepMessage(handle, approveStepUpdate, {
          actor: { id: personId },
          stepId: step.id,
          role: first.role,
          comment,
          ...(passkey ? { passkey } : {}),
        });
        acted = true;
      }
    }
    if (!acted) await new Promise((r) => setTimeout(r, 200));
  }
}
