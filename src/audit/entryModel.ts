/**
 * The audit entry's shape and the small readers every entry builder shares (history payloads
 * are untyped JSON: these read them without trusting them).
 */

/** Every kind of entry, as data: the API and the UI filter by these. */
export const AUDIT_KINDS = [
  'run-started',
  'step-started',
  'step-completed',
  'step-failed',
  'step-rejected',
  'step-cancelled',
  'decision',
  'evidence-submitted',
  'escalation',
  'notification',
  'report',
  'report-resolved',
  'report-acknowledged',
  'oversight-review',
  'stop',
  'rollback-requested',
  'notification-resent',
  'message-refused',
  'run-aborted',
  'compensation',
  'continued-as-new',
  'run-reset',
  'run-ended',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEntry {
  seq: number;
  at: string;
  kind: AuditKind;
  /** The person who did it (a user id), "anonymous", or absent for the system. */
  actor?: string;
  role?: string;
  stepId?: string;
  summary: string;
  details: Record<string, unknown>;
  /** history: Temporal events; state: the workflow's own record. */
  source: 'history' | 'state';
  /** The run of the continue-as-new chain, and its event ids, this entry was read from. */
  runId: string;
  eventIds: number[];
}

/**
 * An entry before it is numbered: `key` places it among history events (the event's index, or
 * a half step after one for facts from the run's state), `rank` orders entries sharing a key.
 */
export type Draft = Omit<AuditEntry, 'seq'> & { key: number; rank: number };
/** What a message builder decides; where and when it happened comes from the history event. */
export type EntryBody = Pick<Draft, 'kind' | 'actor' | 'role' | 'stepId' | 'summary' | 'details'>;
export type Attrs = Record<string, unknown>;

export const firstOf = (v: unknown): unknown => (Array.isArray(v) ? v[0] : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const quoteIf = (text: string | undefined) => (text ? `: "${text}"` : '');

export function failureText(failure: unknown): string {
  const f = failure as { message?: string; cause?: unknown } | undefined;
  if (!f) return 'unknown failure';
  const cause = (f.cause as { message?: string } | undefined)?.message;
  return cause && cause !== f.message ? `${f.message}: ${cause}` : (f.message ?? 'unknown failure');
}

/**
 * The signed message as sent (payload without its signature, and the signature), so an auditor
 * can check it offline against the key the run pinned: `golive verify` does.
 */
export function signedPart(name: string, input: Attrs): Record<string, unknown> {
  const { signature, ...payload } = input;
  return signature ? { signed: { message: name, payload, signature } } : {};
}

/** A document evidence value's name and SHA-256 (the file's own), if the value is one. */
export function documentOf(value: unknown): { name: string; sha256: string; url?: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const d = value as Record<string, unknown>;
  if (typeof d.name !== 'string' || typeof d.sha256 !== 'string') return undefined;
  return { name: d.name, sha256: d.sha256, ...(typeof d.url === 'string' ? { url: d.url } : {}) };
}
