import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  auditCache,
  buildAuditTrail,
  NotAGoLiveRunError,
  RunStateUnavailableError,
  zipTrailDossier,
  type AuditTrail,
  type DossierZip,
} from '../audit';
import type { Principal } from '../auth/authenticator';
import { isDeliverableId, unknownDeliverableMessage } from '../audit/documents/model';
import { deliverableDocument, type DeliverableDocument } from '../audit/documents/render';
import { assertMayReadInput } from './runAccess';
import { HttpError } from './errors';
import type { RefusalLog } from '../audit/refusalLog';

/**
 * The server's door to src/audit: builds a run's trail (history + golive's refusal log), checks
 * that the caller may read it (the policy's read rule; 404 for anyone else), and turns src/audit's errors into HTTP errors. The trail is built
 * before the check because the run's assignments come from its history, which also holds for
 * closed runs no worker can be queried about. API routes and the audit page share this.
 */
export class RunAudit {
  /** Closed runs' records and exported dossiers, so reading a long run again is not building it again. */
  private readonly cache = auditCache();

  constructor(
    private readonly client: Client,
    private readonly refusals: RefusalLog,
  ) {}

  async trail(runId: string, principal: Principal): Promise<AuditTrail> {
    let trail: AuditTrail;
    try {
      trail = await buildAuditTrail({
        client: this.client,
        workflowId: runId,
        refusals: await this.refusals.readForRun(runId),
        cache: this.cache,
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof NotAGoLiveRunError)
        throw new HttpError(404, `no run with id ${runId}`);
      throw err;
    }
    assertMayReadInput(runId, trail.input, principal);
    return trail;
  }

  /**
   * One deliverable, built now from the run as it stands (a draft while the run is open). The web
   * page and the API both ask here, so an unknown name gets the same 404 from both.
   */
  async document(runId: string, principal: Principal, name: string): Promise<DeliverableDocument> {
    if (!isDeliverableId(name)) throw new HttpError(404, unknownDeliverableMessage(name));
    const id = name;
    const trail = await this.trail(runId, principal);
    if (!trail.state)
      throw new HttpError(
        503,
        `run ${runId} is open and its state could not be queried (is a worker running?); the trail itself is at /api/runs/${runId}/history`,
      );
    const ctx = { input: trail.input, state: trail.state, entries: trail.entries, refusals: trail.refusals };
    return deliverableDocument(ctx, id, trail.workflowId, new Date().toISOString());
  }

  async dossier(runId: string, principal: Principal): Promise<DossierZip> {
    const trail = await this.trail(runId, principal);
    try {
      return await zipTrailDossier(trail, undefined, this.cache);
    } catch (err) {
      if (err instanceof RunStateUnavailableError)
        throw new HttpError(503, `${err.message}; the trail itself is at /api/runs/${runId}/history`);
      throw err;
    }
  }
}
