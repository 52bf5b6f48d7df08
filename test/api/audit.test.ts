import { DELIVERABLE_IDS } from '../../src/audit/documents/model';
import { createHash } from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowed } from '../../src/contract/policy';
import { readFacts } from '../../src/contract/runFacts';
import { runbookSchema } from '../../src/contract/schemas/runbook';
import { apiAs, useTestApp } from '../support/app';
import { useRejectionRunbooks } from '../audit/support';
import { driveRejectedRun, type RejectedRun } from '../audit/webRun';

/**
 * The audit endpoints on a real run through the real app: a Gate 4 rejection that compensates
 * two actions, a refused self-approval in golive's log, then the trail, its filters, who may
 * read it, the dossier download and its verification (untouched, altered, oversize).
 */

const runbooks = useRejectionRunbooks({ beforeAll, afterAll });
/** What the server logs at info level: the dossier's digest must be among it. */
const logged: { message: string; meta?: Record<string, unknown> }[] = [];
const log = {
  info: (message: string, meta?: Record<string, unknown>) => void logged.push({ message, ...(meta ? { meta } : {}) }),
  warn: () => undefined,
  error: console.error,
};
const app = useTestApp({ beforeAll, afterAll }, () => ({ ...runbooks(), log }));
const as = (id?: string) => apiAs(app(), id);

interface Entry {
  seq: number;
  kind: string;
  actor?: string;
  role?: string;
  stepId?: string;
  details: Record<string, unknown>;
  hash: string;
  prevHash: string;
}

const GUARDIAN_COMMENT = 'dossier complete <b>really</b>';
let run: RejectedRun;
let dossier: Uint8Array;

/** The zip with `name`'s uncompressed size, in its local header and central directory, one byte short. */
function understateSize(zip: Uint8Array, name: string): Uint8Array {
  const out = Uint8Array.from(zip);
  const view = new DataView(out.buffer);
  const nameBytes = Buffer.from(name);
  const names = (at: number) => Buffer.from(out.subarray(at, at + nameBytes.length)).equals(nameBytes);
  for (let i = 0; i + 46 < out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50 && names(i + 30)) view.setUint32(i + 22, view.getUint32(i + 22, true) - 1, true);
    if (sig === 0x02014b50 && names(i + 46)) view.setUint32(i + 24, view.getUint32(i + 24, true) - 1, true);
  }
  return out;
}

describe('audit trail and dossier over the API', () => {
  beforeAll(async () => {
    run = await driveRejectedRun(app(), `audit-api-${Date.now().toString(36)}`, GUARDIAN_COMMENT);
  }, 60_000);

  it('history holds every decision with actor and comment in order, the compensations, and the refusal apart', async () => {
    const res = await as('rm')('GET', `/api/runs/${run.runId}/history`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const entries = res.body.entries as Entry[];
    expect(res.body).toMatchObject({ workflowId: run.runId, finished: true, total: entries.length, filter: {} });
    expect(res.body.head).toBe(entries.at(-1)!.hash);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(
      entries.filter((e) => e.kind === 'decision').map((d) => [d.actor, d.role, d.details.decision, d.details.comment]),
    ).toEqual([
      ['guardian', 'guardian', 'approve', GUARDIAN_COMMENT],
      ['sponsor', 'business-sponsor', 'reject', run.sponsorComment],
    ]);
    expect(entries.filter((e) => e.kind === 'compensation').map((c) => [c.stepId, c.details.status])).toEqual([
      ['deploy-stage', 'completed'],
      ['enable-access', 'completed'],
    ]);
    expect(entries.at(-1)).toMatchObject({ kind: 'run-ended', details: { status: 'rolled-back' } });
    expect(res.body.refusals).toEqual([
      expect.objectContaining({
        actor: 'rm',
        action: 'decide:approve',
        stepId: 'dossier-signoff',
        type: 'NotAuthorized',
        status: 403,
      }),
    ]);
    // The Temporal Web UI (no login, a Cancel button) is linked for operations only.
    expect(res.body.temporalUi).toEqual([]);
    const forOps = await as('ops')('GET', `/api/runs/${run.runId}/history`);
    expect(forOps.body.temporalUi).toEqual(
      (res.body.runIds as string[]).map((runId) => ({
        runId,
        url: `http://127.0.0.1:8233/namespaces/default/workflows/${run.runId}/${runId}/history`,
      })),
    );
  });

  it('filters by kind, person and step, and rejects bad filters with 400 naming the field', async () => {
    const get = (q: string) => as('rm')('GET', `/api/runs/${run.runId}/history?${q}`);
    const kinds = (body: { entries: Entry[] }) => [...new Set(body.entries.map((e) => e.kind))];

    const decisions = await get('kind=decision');
    expect(decisions.status).toBe(200);
    expect(kinds(decisions.body)).toEqual(['decision']);
    expect(decisions.body.entries).toHaveLength(2);
    expect(decisions.body.total).toBeGreaterThan(2);

    const two = await get('kind=decision&kind=compensation');
    expect(kinds(two.body).sort()).toEqual(['compensation', 'decision']);

    const sponsor = await get('person=sponsor');
    expect(sponsor.body.entries.length).toBeGreaterThan(0);
    expect(
      sponsor.body.entries.every(
        (e: Entry) => e.actor === 'sponsor' || (e.details.to as string[] | undefined)?.includes('sponsor'),
      ),
    ).toBe(true);
    expect(sponsor.body.refusals).toEqual([]);
    expect((await get('person=rm')).body.refusals).toHaveLength(1);

    const gate = await get('step=gate-4&kind=decision');
    expect(gate.body.entries.map((e: Entry) => [e.stepId, e.details.decision])).toEqual([['gate-4', 'reject']]);
    expect(gate.body.filter).toEqual({ kind: 'decision', stepId: 'gate-4' });

    for (const [q, field] of [
      ['kind=bogus', 'query.kind'],
      ['step=Not%20A%20Step!', 'query.step'],
      ['person=%3Cscript%3E', 'query.person'],
      ['colour=red', 'query.colour'],
    ] as const) {
      const bad = await get(q);
      expect(bad.status, q).toBe(400);
      expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
  });

  it('lets the run’s people and operations read; 403 for an outsider, 401 anonymous, 404 unknown', async () => {
    for (const who of ['rm', 'guardian', 'sponsor', 'ops'])
      expect((await as(who)('GET', `/api/runs/${run.runId}/history?kind=run-ended`)).status, who).toBe(200);
    const outsider = await as('user')('GET', `/api/runs/${run.runId}/history`);
    // Not involved: told there is no such run (its existence is not theirs to learn either).
    expect(outsider.status).toBe(404);
    expect(JSON.stringify(outsider.body)).not.toContain(GUARDIAN_COMMENT);
    expect((await as('user')('GET', `/api/runs/${run.runId}/dossier`)).status).toBe(404);
    expect((await as()('GET', `/api/runs/${run.runId}/history`)).status).toBe(401);
    expect((await as('rm')('GET', '/api/runs/golive-nothing-00000000/history')).status).toBe(404);
    expect((await as('rm')('GET', '/api/runs/golive-nothing-00000000/dossier')).status).toBe(404);

    // Operations read every run's trail, even one they have no role in.
    const runbook = runbookSchema.parse({
      id: 'r',
      version: '1.0.0',
      title: 'R',
      roles: [{ id: 'guardian', title: 'Guardian' }],
      steps: [{ id: 'a', kind: 'approval', title: 'A', approvers: [{ role: 'guardian' }], deadline: '1h' }],
    });
    const run0 = readFacts({ initiator: { id: 'rm' }, assignments: { guardian: ['guardian'] }, runbook });
    const mayRead = (id: string, roles: string[]) => isAllowed(run0, { id, roles }, { kind: 'read' });
    expect(mayRead('ops', ['operations'])).toBe(true);
    expect(mayRead('guardian', ['guardian'])).toBe(true);
    expect(mayRead('rm', [])).toBe(true);
    expect(mayRead('guardian2', ['guardian'])).toBe(false);
  });

  it('downloads the dossier zip with its manifest digest in a header', async () => {
    const res = await fetch(`${app().url}/api/runs/${run.runId}/dossier`, {
      headers: { authorization: `Bearer ${app().credentials.guardian!.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="dossier-${run.runId}.zip"`);
    dossier = new Uint8Array(await res.arrayBuffer());
    const files = unzipSync(dossier);
    const manifest = files[`dossier-${run.runId}/manifest.json`]!;
    expect(res.headers.get('x-golive-manifest-sha256')).toBe(createHash('sha256').update(manifest).digest('hex'));
    const deliverables = DELIVERABLE_IDS.flatMap((id) => [`${id}.html`, `${id}.md`, `${id}.pdf`]);
    expect(
      Object.keys(files)
        .map((n) => n.split('/')[1])
        .sort(),
    ).toEqual(
      [
        'audit-trail.json',
        'dossier.json',
        'dossier.md',
        'index.html',
        'manifest.json',
        'refusals.json',
        ...deliverables,
      ].sort(),
    );
    const history = await as('rm')('GET', `/api/runs/${run.runId}/history`);
    expect(res.headers.get('x-golive-chain-head')).toBe(history.body.head);
    expect(logged).toContainEqual({
      message: 'dossier exported',
      meta: expect.objectContaining({
        runId: run.runId,
        by: 'guardian',
        manifestSha256: res.headers.get('x-golive-manifest-sha256'),
        head: history.body.head,
      }),
    });
  });

  it('verifies an uploaded dossier, names the altered file, and refuses what is not a dossier', async () => {
    const verify = (body: Uint8Array | string, who = 'ops', type = 'application/zip') =>
      as(who)('POST', '/api/dossiers/verify', body, { 'content-type': type });
    const history = await as('rm')('GET', `/api/runs/${run.runId}/history`);

    const ok = await verify(dossier);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({
      ok: true,
      workflowId: run.runId,
      head: history.body.head,
      entries: history.body.total,
      files: 21,
      manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    // One byte flipped inside index.html, re-zipped: the zip is fine, the dossier is not.
    const files = unzipSync(dossier);
    const name = `dossier-${run.runId}/index.html`;
    const altered = Uint8Array.from(files[name]!);
    const at = Buffer.from(altered).indexOf(run.sponsorComment);
    altered[at] = altered[at]! ^ 0x01;
    const tampered = await verify(zipSync({ ...files, [name]: altered }));
    expect(tampered.status).toBe(200);
    expect(tampered.body).toEqual({ ok: false, file: 'index.html', reason: expect.stringContaining('altered') });

    // The zip's own bytes changed so that a file inflates past the size its headers declare (as a
    // byte flipped in its deflated data can): that dossier is altered, not "too large to verify".
    const understated = understateSize(zipSync(files), name);
    const damaged = await verify(understated);
    expect(damaged.status, JSON.stringify(damaged.body)).toBe(200);
    expect(damaged.body).toEqual({ ok: false, file: 'index.html', reason: expect.stringContaining('altered') });

    const notZip = await verify('definitely not a zip');
    expect(notZip.status).toBe(400);
    expect(notZip.body.error.message).toMatch(/not a dossier zip/);
    expect((await verify(dossier, 'ops', 'application/octet-stream')).status).toBe(415);
    expect((await as()('POST', '/api/dossiers/verify', 'x', { 'content-type': 'application/zip' })).status).toBe(401);
    const oversize = await verify(new Uint8Array(21 * 1024 * 1024));
    expect(oversize.status).toBe(413);
    expect(oversize.body.error.code).toBe('payload_too_large');
  });

  it('documents the audit operations in the OpenAPI document', async () => {
    const doc = (await as()('GET', '/api/openapi.json')).body;
    const history = doc.paths['/api/runs/{runId}/history'].get;
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(['runId', 'kind', 'person', 'step']);
    expect(doc.paths['/api/runs/{runId}/dossier'].get.responses['200'].headers).toHaveProperty(
      'X-Golive-Manifest-Sha256',
    );
    expect(doc.paths['/api/runs/{runId}/dossier'].get.responses['200'].content).toHaveProperty(['application/zip']);
    expect(doc.paths['/api/dossiers/verify'].post.requestBody.content).toHaveProperty(['application/zip']);
    const document = doc.paths['/api/runs/{runId}/documents/{documentId}'].get;
    expect(Object.keys(document.responses['200'].content)).toContain('application/pdf');
    expect(document.parameters.find((p: { name: string }) => p.name === 'format').schema.enum).toEqual([
      'json',
      'html',
      'md',
      'pdf',
    ]);
    const name = document.parameters.find((p: { name: string }) => p.name === 'documentId');
    expect(name.schema.enum).toEqual([...DELIVERABLE_IDS]);
    expect(name.schema.description).toContain('404');
    expect(document.summary).toContain('404 naming it');
  });
});
