import { z } from 'zod';
import type { ApprovalStep, EscalationLevel, EvidenceItem, Runbook } from '../src/runbook/schema';
import { durationToMs } from '../src/runbook/duration';
import { documentEvidenceSchema, REFUSAL_TYPES, type Actor, type RefusalType } from './definitions';

/**
 * The approval policy as pure functions: who may decide, when quorum is met, what evidence is
 * acceptable, when escalations fire. The workflow's validators and handlers both call these, and
 * unit tests pin them down without a server.
 */

export class Refusal {
  constructor(
    readonly type: RefusalType,
    readonly message: string,
  ) {}
}

export type Assignments = Record<string, string[]>;

/** The roles a person holds in this run. */
export function rolesOf(personId: string, assignments: Assignments): string[] {
  return Object.entries(assignments)
    .filter(([, people]) => people.includes(personId))
    .map(([role]) => role);
}

/** Who may answer Red Button reports: those told about them and those who may stop the line. */
export function reportResolverRoles(runbook: Pick<Runbook, 'steps' | 'stopAuthority'>): string[] {
  const hypercare = runbook.steps.flatMap((s) => (s.kind === 'hypercare' ? [...s.notifyOnReport, ...s.stopAuthority] : []));
  return [...new Set([...hypercare, ...runbook.stopAuthority])];
}

export function isInvolved(personId: string, assignments: Assignments): boolean {
  return rolesOf(personId, assignments).length > 0;
}

export interface ApprovalTally {
  /** Approvals so far: who, in which role, counting for which approver role. */
  approvals: { personId: string; role: string; countsFor: string }[];
  /** Roles that may decide in place of the approvers, after escalation. */
  delegatedRoles: string[];
}

/** Approver roles whose quorum is not yet met. */
export function unmetRoles(step: ApprovalStep, tally: ApprovalTally): string[] {
  return step.approvers
    .filter((a) => tally.approvals.filter((x) => x.countsFor === a.role).length < a.quorum)
    .map((a) => a.role);
}

export function quorumMet(step: ApprovalStep, tally: ApprovalTally): boolean {
  return unmetRoles(step, tally).length === 0;
}

export interface DecisionRequest {
  actor: Actor;
  /** The role the actor says they decide in; omitted: the first role that may. */
  role?: string | undefined;
  decision: 'approve' | 'reject';
}

export interface DecisionGrant {
  role: string;
  /** The approver role this approval counts towards (differs from `role` for a delegate). */
  countsFor: string;
}

/**
 * May this person decide this approval step now, and in which role? Refusals name the reason;
 * the caller has already checked that the step exists and is waiting.
 */
export function authorizeDecision(
  step: ApprovalStep,
  req: DecisionRequest,
  ctx: { initiatorId: string; assignments: Assignments; tally: ApprovalTally },
): DecisionGrant | Refusal {
  const held = rolesOf(req.actor.id, ctx.assignments);
  if (req.role !== undefined && !held.includes(req.role)) {
    return new Refusal(REFUSAL_TYPES.notAuthorized, `${req.actor.id} is not assigned the role ${req.role} in this run`);
  }
  const approverRoles = step.approvers.map((a) => a.role);
  const eligible = [...approverRoles, ...ctx.tally.delegatedRoles];
  const candidates = (req.role !== undefined ? [req.role] : held).filter((r) => eligible.includes(r));
  if (candidates.length === 0) {
    return new Refusal(
      REFUSAL_TYPES.notAuthorized,
      `${req.actor.id} may not decide "${step.id}": it needs ${eligible.join(' or ')}` +
        (held.length ? ` (they hold ${held.join(', ')})` : ' (they hold no role in this run)'),
    );
  }
  // Four-eyes: whoever started the run never signs it off, whatever roles they hold.
  if (req.actor.id === ctx.initiatorId) {
    return new Refusal(REFUSAL_TYPES.selfApproval, `${req.actor.id} started this run and may not decide on it (four-eyes)`);
  }
  if (ctx.tally.approvals.some((a) => a.personId === req.actor.id)) {
    return new Refusal(REFUSAL_TYPES.duplicate, `${req.actor.id} has already approved "${step.id}"`);
  }
  const unmet = unmetRoles(step, ctx.tally);
  for (const role of candidates) {
    if (req.decision === 'reject') return { role, countsFor: approverRoles.includes(role) ? role : (unmet[0] ?? role) };
    if (approverRoles.includes(role)) {
      if (unmet.includes(role)) return { role, countsFor: role };
    } else if (unmet[0] !== undefined) {
      return { role, countsFor: unmet[0] };
    }
  }
  return new Refusal(REFUSAL_TYPES.duplicate, `the quorum for ${candidates.join(', ')} on "${step.id}" is already met`);
}

// ---------------------------------------------------------------------------------------------
// Evidence

const evidenceValueSchemas = {
  number: z.number().finite(),
  // Only web links: evidence is shown to reviewers as a link, and javascript: or data: is no evidence.
  url: z.string().url().max(2000).regex(/^https?:\/\//i, 'must be an http(s) link'),
  document: documentEvidenceSchema,
  attestation: z.literal(true, { message: 'an attestation must be true' }),
  text: z.string().trim().min(1).max(20_000),
} as const;

/** Checks a submitted value against its item's type and bounds; returns the parsed value. */
export function checkEvidenceValue(item: EvidenceItem, value: unknown): { ok: true; value: unknown } | Refusal {
  const parsed = evidenceValueSchemas[item.type].safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length ? `.${first.path.join('.')}` : '';
    return new Refusal(REFUSAL_TYPES.invalid, `value${where} for "${item.id}" (${item.type}): ${first?.message ?? 'invalid'}`);
  }
  if (item.type === 'number') {
    const n = parsed.data as number;
    if (item.min !== undefined && n < item.min) {
      return new Refusal(REFUSAL_TYPES.invalid, `"${item.id}" must be at least ${item.min} (got ${n})`);
    }
    if (item.max !== undefined && n > item.max) {
      return new Refusal(REFUSAL_TYPES.invalid, `"${item.id}" must be at most ${item.max} (got ${n})`);
    }
  }
  return { ok: true, value: parsed.data };
}

export function authorizeEvidence(item: EvidenceItem, actor: Actor, role: string | undefined, assignments: Assignments): string | Refusal {
  const held = rolesOf(actor.id, assignments);
  const allowed = (role !== undefined ? [role] : held).filter((r) => held.includes(r) && item.submittedBy.includes(r));
  if (allowed[0] === undefined) {
    return new Refusal(
      REFUSAL_TYPES.notAuthorized,
      `${actor.id} may not submit "${item.id}": it needs ${item.submittedBy.join(' or ')}`,
    );
  }
  return allowed[0];
}

// ---------------------------------------------------------------------------------------------
// Deadlines and escalation

export type TimelineEvent =
  | { kind: 'escalate'; atMs: number; level: number; escalation: EscalationLevel }
  | { kind: 'deadline'; atMs: number };

/**
 * The timers of a waiting step, as offsets from when it started waiting: each escalation level,
 * then the final deadline (if any). Levels later than the deadline still fire when the step holds.
 */
export function waitTimeline(escalation: EscalationLevel[], deadline: string | undefined): TimelineEvent[] {
  const events: TimelineEvent[] = escalation.map((e, i) => ({
    kind: 'escalate' as const,
    atMs: durationToMs(e.after),
    level: i + 1,
    escalation: e,
  }));
  if (deadline !== undefined) events.push({ kind: 'deadline', atMs: durationToMs(deadline) });
  // Stable sort: at equal times an escalation fires before the deadline that follows it.
  return events.sort((a, b) => a.atMs - b.atMs);
}
