import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { buildAuditTrail, dossierFilesOf } from '../../src/audit';
import { loadRunbookFile } from '../../src/runbook/load';
import { submitEvidenceUpdate } from '../../src/contract/definitions';
import { startRecorder, type Recorder } from '../support/recorder';
import { actor, inputFor, people, startRun, stepStatus, waitForState } from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/**
 * Leadership endorsement: the Business Sponsor writes the Red Button announcement, golive
 * publishes it through the notification channels (`${evidence.step.item}`), and the text and
 * its delivery are in the trail and the dossier. Also: the default runbook has the step.
 */

const ANNOUNCEMENT =
  'Every error you report makes this assistant safer. Press the Red Button; I read every report. — Sam';

describe('leadership endorsement of the Red Button', () => {
  let client: Client;
  let slack: Recorder;
  beforeAll(async () => {
    client = await testClient();
    slack = await startRecorder();
  });
  afterAll(async () => {
    await slack.close();
    await client.connection.close();
  });

  it('is a step of the default runbook whose text the go-live announcement publishes', async () => {
    const loaded = await loadRunbookFile('runbooks/default.yaml');
    const step = loaded.runbook.steps.find((s) => s.id === 'leadership-endorsement');
    expect(step).toMatchObject({
      kind: 'evidence',
      items: [{ id: 'red-button-announcement', type: 'text', submittedBy: ['business-sponsor'] }],
    });
    const announce = loaded.runbook.steps.find((s) => s.id === 'announce-go-live');
    expect(announce?.after).toContain('leadership-endorsement');
    expect(JSON.stringify(announce?.kind === 'action' && announce.params)).toContain(
      '${evidence.leadership-endorsement.red-button-announcement}',
    );
  });

  it('publishes the sponsor’s words; text and delivery are in the trail and the dossier', async () => {
    const { taskQueue, run } = await testWorker({
      activityDeps: { notifyConfig: { slackWebhookUrl: `${slack.url}/hooks/golive` } },
    });
    const workflowId = await run(async () => {
      const input = inputFor({
        steps: [
          {
            id: 'leadership-endorsement',
            kind: 'evidence',
            title: 'Business Sponsor endorses the Red Button',
            items: [
              {
                id: 'red-button-announcement',
                title: 'Red Button announcement',
                type: 'text',
                submittedBy: ['business-sponsor'],
              },
            ],
          },
          {
            id: 'announce-go-live',
            kind: 'action',
            title: 'Announce the Red Button',
            action: 'notify',
            params: {
              to: ['end-user', 'operations'],
              subject: 'The Red Button',
              text: 'From our Business Sponsor: ${evidence.leadership-endorsement.red-button-announcement}',
            },
            timeout: '30s',
          },
        ],
      });
      const handle = await startRun(client, taskQueue, input);
      await waitForState(handle, (s) => stepStatus(s, 'leadership-endorsement') === 'waiting');
      await handle.executeUpdate(submitEvidenceUpdate, {
        args: [
          {
            actor: actor(people.sponsor),
            stepId: 'leadership-endorsement',
            itemId: 'red-button-announcement',
            value: ANNOUNCEMENT,
          },
        ],
      });
      await handle.result();
      return handle.workflowId;
    });
    const delivered = slack.calls.map((c) => JSON.stringify(c.body)).find((b) => b.includes('The Red Button'));
    expect(delivered).toContain(ANNOUNCEMENT);
    expect(delivered).not.toContain('${evidence');

    const trail = await buildAuditTrail({ client, workflowId, refusals: [] });
    const evidenceEntry = trail.entries.find(
      (e) => e.kind === 'evidence-submitted' && e.stepId === 'leadership-endorsement',
    );
    expect(JSON.stringify(evidenceEntry)).toContain(ANNOUNCEMENT);
    expect(trail.entries.some((e) => e.kind === 'step-completed' && e.stepId === 'announce-go-live')).toBe(true);

    const files = await dossierFilesOf(trail);
    const dossier = JSON.parse(new TextDecoder().decode(files.get('dossier.json'))) as {
      sections: { id: string; blocks: { kind: string; rows?: string[][] }[] }[];
    };
    const section = dossier.sections.find((s) => s.id === 'leadership-endorsement');
    const [texts, , deliveries] = section?.blocks.filter((b) => b.kind === 'table' || b.kind === 'heading') ?? [];
    expect(texts?.rows?.[0]).toEqual(
      expect.arrayContaining(['leadership-endorsement', 'red-button-announcement', ANNOUNCEMENT]),
    );
    expect(deliveries?.rows?.[0]?.[2]).toMatch(/^delivered at /);
  }, 60_000);
});
