import { DELIVERABLE_IDS } from '../../../audit/documents/model';
import { documentParamsSchema } from '../../api';
import { HttpError } from '../../errors';
import { documentPage } from '../documentPage';
import type { PageKit } from '../pageKit';

/** The five deliverables, each a page; the same readers as the audit trail (RunAudit checks). */
export function registerDocumentPages({ ctx, pageRoute, render }: PageKit): void {
  pageRoute('/runs/:runId/documents/:documentId', async (req, res, principal) => {
    const params = documentParamsSchema.safeParse(req.params);
    if (!params.success)
      throw new HttpError(404, `no such document: the deliverables are ${DELIVERABLE_IDS.join(', ')}`);
    const doc = await ctx.audit.document(params.data.runId, principal, params.data.documentId);
    render(
      res,
      principal,
      `${doc.deliverable.title} · ${doc.facts.find(([k]) => k === 'System')?.[1] ?? ''}`,
      documentPage({ runId: params.data.runId, id: params.data.documentId, doc }),
      'runs',
    );
  });
}
