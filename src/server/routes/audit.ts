import { deliverableFile } from '../../audit/documents/model';
import { deliverableHtml, deliverableMarkdown } from '../../audit/documents/render';
import { deliverablePdf } from '../../audit/documents/renderPdf';
import type { Router } from 'express';
import { viewTrail } from '../../audit';
import { MANIFEST_SHA256_HEADER as MANIFEST_HEADER } from '../../audit/anchor';
import { operations, type HistoryQuery } from '../api';
import type { ServerContext } from '../deps';
import { route } from '../route';
import { temporalHistoryLinks } from '../temporalUi';

/**
 * The audit trail, the dossier download and dossier verification. Reading a run's trail or
 * dossier is for its initiator, the people assigned a role in it, and operations (RunAudit
 * checks; 404 for anyone else, as for a run that does not exist). Verifying needs only a login:
 * it reads nothing but the upload.
 */

const CHAIN_HEAD_HEADER = 'X-Golive-Chain-Head';

/** The API's query names → src/audit's filter (`step` reads better in a URL than `stepId`). */
export function trailFilter(q: HistoryQuery) {
  return {
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.person ? { person: q.person } : {}),
    ...(q.step ? { stepId: q.step } : {}),
  };
}

export function registerAuditRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.history, async ({ principal, params, query }) => {
    const trail = await ctx.audit.trail(params.runId, principal);
    return {
      ...viewTrail(trail, trailFilter(query)),
      temporalUi: temporalHistoryLinks(ctx.deps, trail.workflowId, trail.runIds, principal.person),
    };
  });

  route(router, ctx, operations.dossier, async ({ principal, res, params }) => {
    const d = await ctx.audit.dossier(params.runId, principal);
    // Logged so the digest lives outside the dossier too: a later copy can be checked against it.
    ctx.log.info('dossier exported', {
      runId: params.runId,
      by: principal.person.id,
      manifestSha256: d.manifestSha256,
      head: d.head,
      finished: d.finished,
    });
    res.setHeader('Content-Disposition', `attachment; filename="${d.fileName}"`);
    res.setHeader(MANIFEST_HEADER, d.manifestSha256);
    res.setHeader(CHAIN_HEAD_HEADER, d.head);
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/zip').send(Buffer.from(d.zip));
    return undefined;
  });

  route(router, ctx, operations.document, async ({ principal, res, params, query }) => {
    const doc = await ctx.audit.document(params.runId, principal, params.documentId);
    const id = doc.deliverable.id;
    res.setHeader('Cache-Control', 'no-store');
    if (query.format === 'json') return { id, ...doc };
    res.setHeader('Content-Disposition', `inline; filename="${deliverableFile(id, query.format)}"`);
    if (query.format === 'html') res.type('text/html').send(deliverableHtml(doc));
    else if (query.format === 'md') res.type('text/markdown').send(deliverableMarkdown(doc));
    else res.type('application/pdf').send(Buffer.from(await deliverablePdf(doc)));
    return undefined;
  });

  // Public keys are public: an auditor pins one without an account here.
  route(router, ctx, operations.signingKeys, async () => ({
    current: ctx.keyring.current.keyId,
    keys: ctx.keyring.publicKeys(),
  }));

  // Unpacked and checked in a worker thread within size and ratio limits: 413 for a zip bomb,
  // 400 for what is not a zip, and the event loop never waits for either.
  route(router, ctx, operations.verifyDossier, async ({ principal, body }) => {
    const verdict = await ctx.dossiers.verify(body);
    ctx.log.info('dossier verified', {
      by: principal.person.id,
      ok: verdict.ok,
      ...(verdict.ok
        ? { workflowId: verdict.workflowId, manifestSha256: verdict.manifestSha256 }
        : { file: verdict.file }),
    });
    return verdict;
  });
}
