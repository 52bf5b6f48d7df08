import { documentParamsSchema } from '../../api';
import { HttpError } from '../../errors';
import { documentPage } from '../documentPage';
import type { PageKit } from '../pageKit';

/**
 * The five deliverables, each a page; the same readers as the audit trail (RunAudit checks). An
 * unknown document name gets RunAudit's 404, the same answer the API gives.
 */
export function registerDocumentPages({ ctx, pageRoute, render }: PageKit): void {
  pageRoute('/runs/:runId/documents/:documentId', async (req, res, principal) => {
    const params = documentParamsSchema.safeParse(req.params);
    if (!params.success) throw new HttpError(404, `no run with id ${String(req.params.runId)}`);
    const doc = await ctx.audit.document(params.data.runId, principal, params.data.documentId);
    render(
      res,
      principal,
      `${doc.deliverable.title} · ${doc.facts.find(([k]) => k === 'System')?.[1] ?? ''}`,
      documentPage({ runId: params.data.runId, id: doc.deliverable.id, doc }),
      'runs',
    );
  });
}
