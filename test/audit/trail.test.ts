import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { buildAuditTrail, dossierZip, exportDossier, filterEntries, verifyDossier } from '../../src/audit';
import { chainEntries } from '../../src/audit/chain';
import { sha256, type Manifest, type TrailFile } from '../../src/audit/dossier';
import { chainRefusals } from '../../src/audit/refusals';
import { approveStepUpdate, rejectStepUpdate, submitEvidenceUpdate } from '../../src/contract/definitions';
import { actor, inputFor, people, startRun, stepStatus, waitForState } from '../support/runs';
import { testClient, testWorker } from '../support/temporal';
import { rejectionRunbook, startHookServer, type HookServer } from './support';

/**
 * The trail and the dossier of a real run on the real dev server: evidence, two actions with an
 * undo each, a sign-off approved by the Guardian, Gate 4 rejected by the Business Sponsor, so the
 * run compensates both actions in reverse.
 */
describe('audit trail and dossier of a rejected run', () => {
  let client: Client;
  let hooks: HookServer;
  let tmp: string;
  beforeAll(async () => {
    client = await testClient();
    hooks = await startHookServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'golive-audit-'));
  });
  afterAll(async () => {
    await hooks.close();
    await client.connection.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('holds every decision and compensation in order; the export verifies and names what was altered', async () => {
    const { taskQueue, run } = await testWorker();
    const workflowId = await run(async () => {
      const handle = await startRun(client, taskQueue, inputFor(rejectionRunbook(hooks.url)));
      const evidence = (who: string, itemId: string, value: unknown) =>
        handle.executeUpdate(submitEvidenceUpdate, {
          args: [{ actor: actor(who), stepId: 'compliance-dossier', itemId, value }],
        });
      await waitForState(handle, (s) => stepStatus(s, 'compliance-dossier') === 'waiting');
      await evidence(people.engineer, 'model-card', { name: 'model-card.pdf', sha256: 'c'.repeat(64) });

      // A dossier of an open run is a draft, and says so on every section.
      const draftDir = path.join(tmp, 'draft');
      const draft = await exportDossier({ client, workflowId: handle.workflowId, outDir: draftDir });
      expect(draft.finished).toBe(false);
      const md = await fs.readFile(path.join(draftDir, 'dossier.md'), 'utf8');
      const sections = md.match(/^## /gm)!.length;
      expect(md.match(/DRAFT — run not finished, status: waiting/g)).toHaveLength(sections + 1);
      expect(await verifyDossier(draftDir)).toMatchObject({ ok: true });

      await evidence(people.guardian2, 'hard-boundaries-held', true);
      await waitForState(handle, (s) => stepStatus(s, 'dossier-signoff') === 'waiting');
      await handle.executeUpdate(approveStepUpdate, {
        args: [{ actor: actor(people.guardian), stepId: 'dossier-signoff', comment: 'dossier complete' }],
      });
      await waitForState(handle, (s) => stepStatus(s, 'gate-4') === 'waiting');
      await handle.executeUpdate(rejectStepUpdate, {
        args: [{ actor: actor(people.sponsor), stepId: 'gate-4', comment: 'latency budget not met' }],
      });
      expect((await handle.result()).status).toBe('rolled-back');
      return handle.workflowId;
    });

    const refusals = chainRefusals([
      {
        at: new Date().toISOString(),
        runId: workflowId,
        actor: people.initiator,
        action: 'decide:approve',
        stepId: 'gate-4',
        type: 'SelfApproval',
        status: 403,
        reason: 'the initiator may not approve',
        by: 'workflow' as const,
      },
    ]);
    const trail = await buildAuditTrail({ client, workflowId, refusals });
    expect(trail.finished).toBe(true);
    expect(
      filterEntries(trail.entries, { kind: 'decision' }).map((d) => [
        d.actor,
        d.role,
        d.details.decision,
        d.details.comment,
      ]),
    ).toEqual([
      [people.guardian, 'guardian', 'approve', 'dossier complete'],
      [people.sponsor, 'business-sponsor', 'reject', 'latency budget not met'],
    ]);
    expect(filterEntries(trail.entries, { kind: 'compensation' }).map((c) => [c.stepId, c.details.status])).toEqual([
      ['deploy-stage', 'completed'],
      ['enable-access', 'completed'],
    ]);
    expect(hooks.calls).toEqual(['POST /enable', 'POST /deploy', 'POST /undeploy', 'POST /disable']);
    expect(trail.entries.at(-1)).toMatchObject({ kind: 'run-ended', details: { status: 'rolled-back' } });

    const dir = path.join(tmp, 'final');
    const exported = await exportDossier({ client, workflowId, outDir: dir, refusals });
    expect(exported.head).toBe(trail.head);
    expect(await verifyDossier(dir)).toMatchObject({ ok: true, head: trail.head, entries: trail.entries.length });
    expect(JSON.parse(await fs.readFile(path.join(dir, 'refusals.json'), 'utf8'))).toEqual(refusals);
    expect(await fs.readFile(path.join(dir, 'index.html'), 'utf8')).toContain('latency budget not met');

    // One byte changed in one file: verify names that file.
    const html = path.join(dir, 'index.html');
    const bytes = await fs.readFile(html);
    bytes[200] = bytes[200]! ^ 1;
    await fs.writeFile(html, bytes);
    expect(await verifyDossier(dir)).toMatchObject({ ok: false, file: 'index.html' });

    // One trail entry altered, the file's digest fixed up in the manifest: only the chain can tell.
    await exportDossier({ client, workflowId, outDir: dir, refusals });
    const trailPath = path.join(dir, 'audit-trail.json');
    const file = JSON.parse(await fs.readFile(trailPath, 'utf8')) as TrailFile;
    const rejection = file.entries.find((e) => e.kind === 'decision' && e.details.decision === 'reject')!;
    rejection.details.comment = 'all good';
    const forged = `${JSON.stringify(file, null, 2)}\n`;
    await fs.writeFile(trailPath, forged);
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as Manifest;
    // A forger fixes the size too: verify checks it against the file.
    Object.assign(
      manifest.files.find((f) => f.name === 'audit-trail.json')!,
      { sha256: sha256(forged), bytes: Buffer.byteLength(forged) },
    );
    await fs.writeFile(manifestPath, JSON.stringify(manifest));
    expect(await verifyDossier(dir)).toMatchObject({ ok: false, file: 'audit-trail.json', seq: rejection.seq });

    // Re-chaining the whole forged trail moves the head: the manifest's head no longer matches.
    file.entries = chainEntries(file.entries.map(({ hash: _h, prevHash: _p, ...e }) => e));
    const rechained = `${JSON.stringify(file, null, 2)}\n`;
    await fs.writeFile(trailPath, rechained);
    Object.assign(
      manifest.files.find((f) => f.name === 'audit-trail.json')!,
      { sha256: sha256(rechained), bytes: Buffer.byteLength(rechained) },
    );
    await fs.writeFile(manifestPath, JSON.stringify(manifest));
    expect(await verifyDossier(dir)).toMatchObject({ ok: false, file: 'manifest.json', field: 'chain.head' });

    // The zip holds the same dossier and verifies as it is.
    const { zip, fileName } = await dossierZip({ client, workflowId, refusals });
    const zipPath = path.join(tmp, fileName);
    await fs.writeFile(zipPath, zip);
    expect(await verifyDossier(zipPath)).toMatchObject({ ok: true, head: trail.head });
  });
});
