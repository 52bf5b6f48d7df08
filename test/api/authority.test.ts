import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainEntries, type ChainedEntry } from '../../src/audit/chain';
import { sha256 } from '../../src/audit/dossier';
import { apiAs, eventually, SMALL_RUNBOOK, useTestApp, untilStepOf } from '../support/app';
import { runCli, tempDir } from '../cli/support';

/**
 * Provable authority over the real app: assignments bound to the directory (and named
 * delegations, recorded as such), reads limited to people involved and the runbook's reader
 * roles, and a dossier whose decisions `golive verify` checks signature by signature.
 */

const app = useTestApp({ beforeAll, afterAll });
const as = (id: string) => apiAs(app(), id);

async function start(system: string, extra: Record<string, unknown> = {}) {
  return as('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2, ...extra });
}

const untilStep = (runId: string, stepId: string, status: string) => untilStepOf(app(), runId, stepId, status);

describe('assignments bound to the directory', () => {
  it('refuses a start that puts someone in a role the directory does not give them, naming person and role', async () => {
    const res = await start('dir-refused', {
      assignments: { guardian: ['guardian', 'ie'], 'business-sponsor': ['user'] },
    });
    expect(res.status).toBe(400);
    const issues = res.body.error.issues as { path: string; message: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual(['assignments.business-sponsor[0]', 'assignments.guardian[1]']);
    expect(issues.find((i) => i.path === 'assignments.guardian[1]')!.message).toMatch(
      /^ie does not hold the role guardian in the directory \(their roles: implementation-engineer\)/,
    );
    expect(issues.find((i) => i.path === 'assignments.business-sponsor[0]')!.message).toContain(
      'user does not hold the role business-sponsor',
    );
    expect((await as('rm')('GET', '/api/runs?system=dir-refused')).body.runs).toEqual([]);
  });

  it('refuses a delegation the runbook does not allow, or one without a reason', async () => {
    const notDelegable = await start('dir-not-delegable', {
      delegations: [{ role: 'business-sponsor', person: 'ops', reason: 'Sam is away' }],
    });
    expect(notDelegable.status).toBe(400);
    expect(notDelegable.body.error.issues[0]).toMatchObject({
      path: 'delegations[0].role',
      message: expect.stringContaining('does not let the role business-sponsor be delegated'),
    });
    const noReason = await start('dir-no-reason', { delegations: [{ role: 'guardian', person: 'ops', reason: ' ' }] });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.issues[0].path).toBe('delegations[0].reason');
  });

  it('runs with the directory’s people, and records a named substitute as delegated in every decision', async () => {
    const reason = 'Gita and Gus are at the regulator all week';
    const res = await start('dir-delegated', {
      assignments: { guardian: ['guardian'] },
      delegations: [{ role: 'guardian', person: 'ops', reason }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const runId = res.body.runId as string;
    await untilStep(runId, 'validation-report', 'waiting');
    expect(
      (await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97 }))
        .status,
    ).toBe(200);
    await untilStep(runId, 'guardian-sign-off', 'waiting');
    const decided = await as('ops')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
      comment: 'as the Guardian’s substitute',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const state = await untilStep(runId, 'hypercare', 'running');
    expect(state.delegations).toEqual([{ role: 'guardian', person: 'ops', reason }]);
    expect(state.decisions[0]).toMatchObject({
      actor: { id: 'ops' },
      role: 'guardian',
      roleSource: 'delegation',
      delegationReason: reason,
    });
    const trail = await as('ops')('GET', `/api/runs/${runId}/history?kind=decision`);
    expect(trail.body.entries[0].summary).toBe(
      `ops (guardian, DELEGATED substitute: ${reason}) approved "guardian-sign-off": "as the Guardian’s substitute"`,
    );
    const started = await as('ops')('GET', `/api/runs/${runId}/history?kind=run-started`);
    expect(started.body.entries[0].details.directory).toMatchObject({ guardian: ['guardian'], ops: ['operations'] });
  });
});

describe('reading a run', () => {
  let runId: string;
  beforeAll(async () => {
    const res = await start('read-policy', { assignments: { guardian: ['guardian'] } });
    runId = res.body.runId as string;
    await untilStep(runId, 'validation-report', 'waiting');
  });

  it('is for people involved and the runbook’s reader roles; others hear there is no such run', async () => {
    // guardian2 holds the Guardian role in the directory but was not assigned in this run.
    for (const url of [`/api/runs/${runId}`, `/api/runs/${runId}/history`, `/api/runs/${runId}/dossier`]) {
      const res = await as('guardian2')('GET', url);
      expect(res.status, url).toBe(404);
      expect(res.body.error.message).toBe(`no run with id ${runId}`);
    }
    const page = await as('guardian2')('GET', `/runs/${runId}`);
    expect(page.status).toBe(404);
    expect(String(page.body)).toContain(`no run with id ${runId}`);
    expect(String(page.body)).not.toContain('validation-report');
    const listed = await as('guardian2')('GET', '/api/runs?system=read-policy');
    expect(listed.body.runs).toEqual([]);
    // Messages too: a refusal ("not involved", "not in hypercare") would tell that the run exists.
    for (const [url, body] of [
      [`/api/runs/${runId}/reports`, { severity: 'low', description: 'are you there?' }],
      [`/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 90 }],
      [`/api/runs/${runId}/stop`, { reason: 'probing' }],
    ] as const) {
      const res = await as('guardian2')('POST', url, body);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body.error.message).toBe(`no run with id ${runId}`);
    }

    // The auditor reads it (the runbook names the role) and sees it listed, but may not act.
    expect((await as('auditor')('GET', `/api/runs/${runId}`)).status).toBe(200);
    expect((await as('auditor')('GET', `/api/runs/${runId}/history`)).status).toBe(200);
    const forAuditor = await eventually(async () => {
      const r = await as('auditor')('GET', '/api/runs?system=read-policy');
      return r.body.runs?.length === 1 ? r.body.runs : undefined;
    }, 'the run in the auditor’s list');
    expect(forAuditor[0].runId).toBe(runId);
    const act = await as('auditor')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 90,
    });
    expect(act.status).toBe(403);
    // Someone involved hears why: a value outside the item's bounds is an issue at `value`.
    const outOfRange = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 150,
    });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.issues).toEqual([{ path: 'value', message: 'must be at most 100 (got 150)' }]);
    // Everyone assigned reads it, end users included.
    expect((await as('user')('GET', `/api/runs/${runId}`)).status).toBe(200);
  });
});

describe('signatures an auditor checks offline', () => {
  it('publishes the signing key; verify accepts the dossier with it and names a decision whose signature was broken', async () => {
    const keys = await apiAs(app())('GET', '/api/signing-keys');
    expect(keys.status).toBe(200);
    const keyId = keys.body.current as string;
    expect(keys.body.keys[0]).toMatchObject({
      keyId,
      algorithm: 'ed25519',
      publicKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const res = await start('signed-dossier', { assignments: { guardian: ['guardian'] } });
    const runId = res.body.runId as string;
    await untilStep(runId, 'validation-report', 'waiting');
    await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 96 });
    await untilStep(runId, 'guardian-sign-off', 'waiting');
    await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
      comment: 'fits mode 2',
    });
    await untilStep(runId, 'hypercare', 'running');
    // A Red Button report and its resolution are signed too; the report's id is the workflow's own.
    const report = await as('user')('POST', `/api/runs/${runId}/reports`, {
      severity: 'high',
      description: 'wrong refund amount',
    });
    expect(report.status).toBe(201);
    const resolved = await as('ops')('POST', `/api/runs/${runId}/reports/${report.body.report.id}/resolution`, {
      resolution: 'prompt fixed',
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);

    const zip = await fetch(`${app().url}/api/runs/${runId}/dossier`, {
      headers: { authorization: `Bearer ${app().credentials.guardian!.token}` },
    });
    const dir = tempDir('golive-signed-dossier-');
    for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(await zip.arrayBuffer())))) {
      if (!name.endsWith('/')) fs.writeFileSync(path.join(dir, name.replace(/^[^/]+\//, '')), bytes);
    }
    const verify = (...extra: string[]) => runCli(['verify', dir, ...extra], {});
    const ok = await verify('--expect-key', keyId);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`ok: dossier of ${runId}, .* 5 signatures by key ${keyId} \\(matches --expect-key\\)`),
    );
    expect((await verify('--expect-key', '0123456789abcdef')).code).toBe(1);

    // A forger rewrites the Guardian's comment everywhere it is written, re-chains the trail and
    // fixes every digest: the files agree again, but the signature no longer covers the words.
    const decision = rewriteTrail(dir, (entries) => {
      const e = entries.find((x) => x.kind === 'decision')!;
      const signedPart = e.details.signed as { payload: { comment: string } };
      e.summary = e.summary.replace('fits mode 2', 'fits every mode');
      e.details.comment = 'fits every mode';
      signedPart.payload.comment = 'fits every mode';
      return e.seq;
    });
    const forged = await verify();
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain(
      `NOT OK: audit-trail.json (entry seq ${decision}): entry ${decision} (decision by guardian on "guardian-sign-off"): its signature does not match`,
    );
  });
});

/** Edits the trail's entries, re-chains them and makes dossier.json and the manifest agree, as a forger would. */
function rewriteTrail(dir: string, edit: (entries: ChainedEntry[]) => number): number {
  const file = (name: string) => path.join(dir, name);
  const read = (name: string) => JSON.parse(fs.readFileSync(file(name), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const trail = read('audit-trail.json');
  const seq = edit(trail.entries as ChainedEntry[]);
  const entries = chainEntries((trail.entries as ChainedEntry[]).map(({ hash: _h, prevHash: _p, ...e }) => e));
  const head = entries.at(-1)!.hash;
  fs.writeFileSync(file('audit-trail.json'), `${JSON.stringify({ ...trail, entries, head }, null, 2)}\n`);
  const dossier = read('dossier.json');
  fs.writeFileSync(
    file('dossier.json'),
    `${JSON.stringify({ ...dossier, trail: { entries: entries.length, head } }, null, 2)}\n`,
  );
  const manifest = read('manifest.json');
  manifest.chain = { head, length: entries.length };
  for (const f of manifest.files as { name: string; sha256: string; bytes: number }[]) {
    const bytes = fs.readFileSync(file(f.name));
    Object.assign(f, { sha256: sha256(bytes), bytes: bytes.length });
  }
  fs.writeFileSync(file('manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return seq;
}
