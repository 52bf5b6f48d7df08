import type { ReportView } from '../contract/definitions';
import type { Principal } from '../auth/authenticator';
import { safeEqual, sha256Hex } from '../auth/secrets';
import type { ServerContext } from './deps';
import { HttpError } from './errors';

/**
 * An anonymous reporter reads their report with the receipt golive gave them once: its
 * acknowledgement, resolution and the thank-you recorded for them. The run keeps only the
 * receipt's SHA-256, inside the signed report in its history; the answer names no reporter.
 * Reading the run is the policy's read rule (RunAudit checks it, 404 for anyone else).
 */

export type ReceiptReport = Pick<
  ReportView,
  'id' | 'severity' | 'description' | 'at' | 'responseDueAt' | 'status' | 'acknowledgement' | 'resolution' | 'thanks'
>;

export async function reportByReceipt(
  ctx: ServerContext,
  principal: Principal,
  runId: string,
  reportId: string,
  receipt: string,
): Promise<{ report: ReceiptReport }> {
  const trail = await ctx.audit.trail(runId, principal);
  const entry = trail.entries.find((e) => e.kind === 'report' && e.details.reportId === reportId);
  const hash = (entry?.details.signed as { payload?: { receiptHash?: unknown } } | undefined)?.payload?.receiptHash;
  const report = (trail.state ?? (await ctx.runs.state(runId))).reports.find((r) => r.id === reportId);
  if (typeof hash !== 'string' || !report || !safeEqual(hash, sha256Hex(receipt)))
    throw new HttpError(404, `no anonymous report ${reportId} with this receipt in run ${runId}`);
  const { reporter: _anonymous, escalationLevel: _level, ...shown } = report;
  return { report: shown };
}
