import { createHmac } from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import type { Principal } from '../auth/authenticator';
import { operations, runIdSchema, type Operation } from './api';
import type { ServerContext } from './deps';
import { HttpError } from './errors';
import { priorOutcome } from './temporalRuns';
import { jsonBody } from './route';
import type { ReportView } from '../contract/definitions';

/**
 * `Idempotency-Key` for decisions, Red Button reports and the other messages. The key (scoped by the person who
 * sends it) becomes the Temporal Update's id, so Temporal applies a message at most once however
 * often it arrives, and answers a repeated id with the first attempt's outcome: a retry needs no
 * question to Temporal before it is sent, and a first attempt (nearly every request) asks none.
 * Two retries are answered here instead, before the route, from the first attempt's outcome
 * (marked `Idempotent-Replayed: true`): one whose first attempt went through this server, and a
 * decision carrying a passkey, whose one-time challenge the first attempt spent. An attempt the
 * workflow refused left nothing behind, so its retry is simply judged again.
 */

const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Who sent a key, where: what a report's Update id and receipt are derived from. */
export interface KeyScope {
  secret: Buffer;
  runId: string;
  personId: string;
  key: string;
}

const hmac = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest();

/**
 * A Red Button report's Update id: opaque (an HMAC with the server secret, shared by every web
 * server), because Temporal records it and an anonymous report's history must not name who sent it.
 */
export function reportUpdateIdFor(s: Omit<KeyScope, 'runId'>): string {
  return `report:${hmac(s.secret, `golive-report-update\n${s.personId}\n${s.key}`).toString('base64url')}`;
}

/**
 * An anonymous report's receipt when it carries a key: derived from it (as long as a random
 * one), so every retry answers with the very receipt whose SHA-256 the run keeps.
 */
export function reportReceiptFor(s: KeyScope): string {
  return hmac(s.secret, `golive-report-receipt\n${s.runId}\n${s.personId}\n${s.key}`)
    .subarray(0, 18)
    .toString('base64url');
}

/** A report's answer: the receipt goes with an anonymous report only. */
export function reportAnswer(
  report: ReportView,
  receipt: string | undefined,
): { report: ReportView; receipt?: string } {
  return { report, ...(receipt && report.reporter === 'anonymous' ? { receipt } : {}) };
}

/**
 * Which kind of message a key was sent with. One key sent with two kinds of message is two
 * messages: a rollback sent with a key an evidence submission had used was answered with that
 * evidence's step (`Idempotent-Replayed`) and rolled nothing back. Each operation's kind is said
 * here once, for both the route's Update id and the replay's lookup: were they to differ, a
 * retry would no longer be found.
 */
const KIND_OF_OPERATION = new Map<Operation, string>([
  [operations.decide, 'decide'],
  [operations.resend, 'resend'],
  [operations.submitEvidence, 'evidence'],
  [operations.resolveReport, 'resolve'],
  [operations.acknowledgeReport, 'acknowledge'],
  [operations.stop, 'stop'],
  [operations.rollback, 'rollback'],
]);

interface IdempotentOperation {
  op: Operation;
  /** How the Update's result becomes the answer. */
  answer: (result: unknown, scope: KeyScope) => unknown;
  /** The Update id for the person's key: by default, the person's key for this kind of message. */
  updateId?: (scope: KeyScope) => string;
}

/** The operations that take the header, and how each wraps an Update's result in its answer. */
export const IDEMPOTENT_OPERATIONS: readonly IdempotentOperation[] = [
  { op: operations.decide, answer: (step) => ({ step }) },
  {
    op: operations.report,
    answer: (report, scope) => reportAnswer(report as ReportView, reportReceiptFor(scope)),
    updateId: reportUpdateIdFor,
  },
  { op: operations.submitEvidence, answer: (step) => ({ step }) },
  { op: operations.resolveReport, answer: (report) => ({ report }) },
  { op: operations.acknowledgeReport, answer: (report) => ({ report }) },
  { op: operations.stop, answer: (state) => state },
  { op: operations.rollback, answer: (state) => state },
];

/** The request's key, checked; undefined without the header. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.headers[IDEMPOTENCY_HEADER.toLowerCase()];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw new HttpError(400, `invalid ${IDEMPOTENCY_HEADER} header`, {
      issues: [
        {
          path: `header.${IDEMPOTENCY_HEADER}`,
          message: 'must be 1 to 200 visible ASCII characters (a UUID, for example)',
        },
      ],
    });
  }
  return value;
}

/**
 * The Update id for a person's key sent with this operation: two people's keys never meet, nor
 * one person's key sent with two kinds of message. A decision's id is `person:key`, as it always
 * was (a retry sent across an upgrade still finds its first attempt); the others'
 * `person/kind:key`, which no decision's id can be, since a person id holds no `/`.
 */
function updateIdFor(personId: string, key: string, op: Operation): string {
  const kind = KIND_OF_OPERATION.get(op);
  if (!kind) throw new Error(`${op.method.toUpperCase()} ${op.path} takes no ${IDEMPOTENCY_HEADER}`);
  return kind === 'decide' ? `${personId}:${key}` : `${personId}/${kind}:${key}`;
}

/** What a route passes to `ctx.runs.update`: the Update id when the request carries a key. */
export function idempotent(req: Request, principal: Principal, op: Operation): { updateId?: string } {
  const key = idempotencyKeyOf(req);
  return key ? { updateId: updateIdFor(principal.person.id, key, op) } : {};
}

/** A decision answered with a passkey: the route checks the answer (once) before the Update. */
function carriesPasskey(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { passkey?: unknown }).passkey !== undefined;
}

/** Registers, ahead of the routes themselves, the answer to retried requests. */
export function registerIdempotentReplays(router: Router, ctx: ServerContext): void {
  const parse = jsonBody(ctx);
  // Read once, by whoever gets there first: body-parser leaves a body it has read alone.
  const bodyOf = (req: Request, res: Response) =>
    new Promise<unknown>((resolve, reject) =>
      parse(req, res, (err?: unknown) => (err ? reject(err) : resolve(req.body))),
    );
  for (const {
    op,
    answer,
    updateId: idOf = (s: KeyScope) => updateIdFor(s.personId, s.key, op),
  } of IDEMPOTENT_OPERATIONS) {
    router.post(op.path, async (req: Request, res: Response, next: NextFunction) => {
      const key = idempotencyKeyOf(req);
      const runId = runIdSchema.safeParse(req.params.runId);
      if (!key || !runId.success) return next();
      // Only the person who sent the key can see its outcome; everything else is the route's to refuse.
      const id = await ctx.auth.identify(req);
      if (id.kind !== 'ok' || !ctx.auth.checkCsrf(id.principal, req)) return next();
      const scope = { secret: ctx.deps.serverSecret, runId: runId.data, personId: id.principal.person.id, key };
      const updateId = idOf(scope);
      if (!ctx.runs.sentHere(updateId) && !carriesPasskey(await bodyOf(req, res))) return next();
      const prior = await priorOutcome(ctx.deps.client, runId.data, updateId);
      if (!prior) return next();
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(op.status).json(answer(prior.result, scope));
    });
  }
}
