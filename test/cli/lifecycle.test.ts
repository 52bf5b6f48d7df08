import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditTrail, TrailView } from '../../src/audit';
import type { RunPage } from '../../src/server/temporalRuns';
import type { RunStateView } from '../../src/contract/definitions';
import { FIXTURE_RUNBOOKS, SMALL_RUNBOOK } from '../support/app';
import { retryCli, tempDir, useCliStack } from './support';

/**
 * One run through its life with the CLI against the real stack: start (following it until it
 * waits), evidence, a four-eyes refusal, the Guardian's approval, list, history, dossier and
 * offline verification, then the Red Button. The runbook (web-small) has no actions, so nothing
 * reaches outside the test.
 */

const stack = useCliStack({ beforeAll, afterAll });
const cli = (args: string[], as?: string) => stack().cli(args, as ? { as } : {});
const system = `cli-${Date.now().toString(36)}`;
const out = tempDir('golive-cli-dossier-');
let runId = '';

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const stateOf = async (as = 'rm'): Promise<RunStateView> => {
  const r = await cli(['status', runId, '--json'], as);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RunStateView;
};
const stepStatus = (s: RunStateView, id: string) => s.steps.find((x) => x.id === id)?.status;
/** `golive list --json` prints the API's list answer: {runs, nextPageToken?}. */
const runsIn = (stdout: string) => ((stdout ? JSON.parse(stdout) : { runs: [] }) as RunPage).runs;

describe.sequential('a run through the CLI', () => {
  it('start --follow prints the run id and a link, and follows until the run waits for people', async () => {
    // The initiator is also assigned Guardian, so four-eyes (not the role check) must refuse them.
    const r = await cli(
      [
        'start',
        '--runbook',
        path.join(FIXTURE_RUNBOOKS, 'web-small.yaml'),
        '--system',
        system,
        '--mode',
        '2',
        '--assign',
        'guardian=guardian',
        '--delegate',
        'guardian=rm:stands in as Guardian this week',
        '--param',
        'note=from the CLI',
        '--follow',
      ],
      'rm',
    );
    expect(r.code, r.stderr).toBe(0);
    runId = r.stdout.trim();
    expect(runId).toMatch(new RegExp(`^golive-${system}-`));
    expect(r.stderr).toContain(`${stack().app.url}/runs/${runId}`);
    expect(r.stderr).toMatch(/validation-report\s+⏸ waiting/);
    expect(r.stderr).toContain(`golive evidence ${runId} validation-report`);
    expect(r.stderr).not.toContain('warning');
  });

  it('status --json parses and shows the run waiting for evidence', async () => {
    const state = await stateOf();
    expect(state).toMatchObject({
      system,
      collaborationMode: 2,
      status: 'waiting',
      waitingRoles: ['implementation-engineer'],
      params: { note: 'from the CLI' },
    });
    expect(state.assignments.guardian).toEqual(['guardian', 'rm']);
  });

  it('list --waiting-for-me shows the run to the engineer it waits for, not to the Guardian', async () => {
    const mine = await retryCli(
      () => cli(['list', '--waiting-for-me', '--json'], 'ie'),
      (r) => r.stdout.includes(runId),
    );
    expect(runsIn(mine.stdout).map((r) => r.runId)).toContain(runId);
    const theirs = await cli(['list', '--waiting-for-me', '--json'], 'guardian');
    expect(runsIn(theirs.stdout).map((r) => r.runId)).not.toContain(runId);
  });

  it('evidence for an item the step does not have: exit 1, naming the item, the step’s items and --item', async () => {
    const r = await cli(['evidence', runId, 'validation-report', '--item', 'precision', '--value', '97.5'], 'ie');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'golive: not found: step "validation-report" has no evidence item "precision" (its items: accuracy)',
    );
    expect(r.stderr).toContain('--item (itemId): not an evidence item of this step (its items: accuracy)');
  });

  it('evidence by the engineer moves the run to the Guardian sign-off', async () => {
    const r = await cli(['evidence', runId, 'validation-report', '--item', 'accuracy', '--value', '97.5'], 'ie');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('validation-report: completed');
    await retryCli(
      () => cli(['status', runId, '--json'], 'rm'),
      (s) => stepStatus(JSON.parse(s.stdout) as RunStateView, 'guardian-sign-off') === 'waiting',
    );
  });

  it("approve by the initiator is refused (exit 1) with the server's reason", async () => {
    const r = await cli(['approve', runId, 'guardian-sign-off', '--comment', 'my own run'], 'rm');
    expect(r.code).toBe(1);
    // The workflow's policy words it and names the rule; the server relays it: four-eyes.
    expect(r.stderr).toMatch(/^golive: refused: rm started this run .*four-eyes, rule initiator-never-approves/m);
    expect(stepStatus(await stateOf(), 'guardian-sign-off')).toBe('waiting');
  });

  it("approving a step the run does not have: exit 1 with the server's reason", async () => {
    const r = await cli(['approve', runId, 'no-such-step'], 'guardian');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/golive: (not found|refused): .*no-such-step/);
  });

  it('approve by the Guardian completes the sign-off; status shows the run in hypercare', async () => {
    const r = await cli(['approve', runId, 'guardian-sign-off', '--comment', 'oversight plan reviewed'], 'guardian');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('guardian-sign-off: completed');
    const done = await retryCli(
      () => cli(['status', runId], 'rm'),
      (s) => /hypercare\s+hypercare\s+▶ running/.test(s.stdout),
    );
    expect(done.stdout).toMatch(/guardian-sign-off\s+approval\s+✓ completed\s+guardian 1\/1 \(guardian\)/);
    expect(done.stdout).toContain(`Web        ${stack().app.url}/runs/${runId}`);
    // What each person may do now, from the same policy the run obeys.
    expect(done.stdout).toContain('You may: report an AI error, stop the line, ask for a rollback.'); // rm: a delegated Guardian
    expect((await cli(['status', runId], 'user')).stdout).toContain('You may: report an AI error.');
  });

  it('list finds the run (table and --json)', async () => {
    const json = await retryCli(
      () => cli(['list', '--system', system, '--json'], 'rm'),
      (r) => runsIn(r.stdout).some((x) => x.state === 'hypercare'),
    );
    // An object, as the API's list answer: {runs, nextPageToken?}.
    expect(JSON.parse(json.stdout)).toEqual({
      runs: [expect.objectContaining({ runId, system, runbook: SMALL_RUNBOOK, initiator: 'rm', state: 'hypercare' })],
    });
    const table = await cli(['list', '--system', system], 'rm');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^RUN\s+SYSTEM\s+RUNBOOK\s+STATE\s+WHY\s+WAITING FOR\s+INITIATOR\s+STARTED$/,
    );
    expect(table.stdout).toContain(runId);
  });

  it('history shows the decisions and the refused attempt; --json parses', async () => {
    const r = await cli(['history', runId, '--json'], 'rm');
    expect(r.code, r.stderr).toBe(0);
    const trail = JSON.parse(r.stdout) as AuditTrail;
    expect(trail.entries.some((e) => e.kind === 'decision' && e.actor === 'guardian')).toBe(true);
    expect(trail.refusals.map((x) => x.actor)).toContain('rm');
    const table = await cli(['history', runId], 'rm');
    expect(table.stdout).toMatch(/^SEQ\s+AT\s+KIND\s+ACTOR\s+STEP\s+SUMMARY/);
    expect(table.stdout).toContain('Refused attempts');
    // Facts no person did show the engine as their actor, not a blank.
    const completed = table.stdout.split('\n').filter((l) => /\sstep-completed\s/.test(l));
    expect(completed.length).toBeGreaterThan(0);
    for (const line of completed) expect(line).toMatch(/\sstep-completed\s+golive\s/);
  });

  it('history --kind (repeated), --person and --step filter on the server; a bad filter is named by its flag', async () => {
    const kinds = await cli(['history', runId, '--kind', 'decision', '--kind', 'evidence-submitted', '--json'], 'rm');
    expect(kinds.code, kinds.stderr).toBe(0);
    const byKind = JSON.parse(kinds.stdout) as TrailView<AuditTrail>;
    expect(byKind.filter).toEqual({ kind: ['decision', 'evidence-submitted'] });
    expect(byKind.entries.map((e) => e.kind).sort()).toEqual(['decision', 'evidence-submitted']);
    expect(byKind.total).toBeGreaterThan(byKind.entries.length);

    const guardian = await cli(
      ['history', runId, '--person', 'guardian', '--step', 'guardian-sign-off', '--json'],
      'rm',
    );
    const mine = JSON.parse(guardian.stdout) as TrailView<AuditTrail>;
    expect(mine.filter).toEqual({ person: 'guardian', stepId: 'guardian-sign-off' });
    expect(mine.entries.map((e) => [e.kind, e.actor, e.stepId])).toContainEqual([
      'decision',
      'guardian',
      'guardian-sign-off',
    ]);
    expect(mine.entries.every((e) => e.stepId === 'guardian-sign-off')).toBe(true);
    expect(mine.refusals).toEqual([]); // rm's refused approval is not the Guardian's

    const table = await cli(['history', runId, '--step', 'guardian-sign-off'], 'rm');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toMatch(/^\d+ of \d+ entries \(filtered\), chain head [0-9a-f]{64}/m);

    // Kinds are checked by the CLI (they may be comma-separated): the bad one is named.
    const badKind = await cli(['history', runId, '--kind', 'decision,nope'], 'rm');
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toMatch(/--kind: "nope" is not a kind/);
    const bad = await cli(['history', runId, '--kind', 'decision', '--person', 'Not A Person!'], 'rm');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ {2}--person \(query\.person\): /m);
  });

  it('history --kind without message-refused leaves the refused attempts out, and says so', async () => {
    const r = await cli(['history', runId, '--kind', 'decision,compensation'], 'rm');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Refused attempts (not part of the chain)');
    expect(r.stdout).toContain('(refused attempts not shown: filtered by kind');
    const json = JSON.parse(
      (await cli(['history', runId, '--kind', 'decision,message-refused', '--json'], 'rm')).stdout,
    ) as TrailView<AuditTrail>;
    expect(json.refusals.map((x) => x.actor)).toContain('rm');
  });

  it('dossier unpacks into a folder that verify accepts, and verify names an altered file', async () => {
    const dir = path.join(out, 'dossier');
    const r = await cli(['dossier', runId, '--out', dir], 'rm');
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(true);
    // The server's anchor comes with the download, ready to keep apart from the files.
    const anchor = /golive verify \S+ --expect-manifest ([0-9a-f]{64})/.exec(r.stderr)?.[1];
    expect(anchor, r.stderr).toBeDefined();

    const ok = await cli(['verify', dir, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      workflowId: runId,
      manifestSha256: anchor,
      finished: false,
      status: 'hypercare',
      anchored: false,
    });

    const line = await cli(['verify', dir]);
    expect(line.code).toBe(0);
    expect(line.stdout).toMatch(
      new RegExp(
        `^ok: dossier of ${runId}, run not finished \\(hypercare\\): a draft, 21 files, \\d+ trail entries, \\d+ signatures by key [0-9a-f]{16}, chain head [0-9a-f]{64}, manifest sha256 ${anchor}\n$`,
      ),
    );
    expect(line.stderr).toContain('without it, ok means consistent, not authentic');

    const anchored = await cli(['verify', dir, '--expect-manifest', anchor!.toUpperCase()]);
    expect(anchored.code, anchored.stdout + anchored.stderr).toBe(0);
    expect(anchored.stdout).toContain(`manifest sha256 ${anchor} (matches --expect-manifest)`);
    expect(anchored.stderr).toBe('');

    const other = await cli(['verify', dir, '--expect-manifest', 'f'.repeat(64)]);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(
      `NOT OK: manifest.json: its SHA-256 is ${anchor}, not the expected ${'f'.repeat(64)}`,
    );

    // QA's forgery: the manifest's status, nothing else.
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = fs.readFileSync(manifestPath, 'utf8');
    fs.writeFileSync(manifestPath, manifest.replace('"status": "hypercare"', '"status": "live"'));
    const forged = await cli(['verify', dir]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toBe(
      'NOT OK: manifest.json (status): status says "live", but dossier.json says "hypercare"\n',
    );
    fs.writeFileSync(manifestPath, manifest);

    fs.appendFileSync(path.join(dir, 'dossier.md'), '\nedited later\n');
    const bad = await cli(['verify', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('NOT OK: dossier.md');
  });

  it('Red Button: an anonymous report gets a receipt, the Guardian acknowledges and resolves it; stop ends the run', async () => {
    const report = await cli(
      ['report', runId, '--severity', 'high', '--description', 'declined everyone over 70', '--anonymous', '--json'],
      'user',
    );
    expect(report.code, report.stderr).toBe(0);
    const answer = JSON.parse(report.stdout) as { report: { id: string; reporter: string }; receipt: string };
    expect(answer.report.reporter).toBe('anonymous');
    expect(answer.receipt).toEqual(expect.any(String));

    const ack = await cli(['acknowledge', runId, answer.report.id, '--text', 'Seen, we are on it.'], 'guardian');
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toContain(`${answer.report.id}: high report open`);
    expect(ack.stdout).toMatch(/acknowledged by .+: Seen, we are on it\./);
    const again = await cli(['acknowledge', runId, answer.report.id, '--text', 'twice'], 'guardian');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/acknowledged before/);

    const resolved = await cli(['resolve', runId, answer.report.id, '--resolution', 'age feature removed'], 'guardian');
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toContain(`${answer.report.id}: high report resolved`);

    // stop waits for the rollback and prints how the run ended, not its state as the stop arrived.
    const stop = await cli(['stop', runId, '--reason', 'bias found in hypercare'], 'guardian');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toContain(`stopped: ${runId} is rolling back`);
    expect(stop.stdout).toBe(`${runId}: rolled-back — bias found in hypercare\n`);
    const ended = await stateOf();
    expect(ended.status).toBe('rolled-back');
    expect(ended.failure).toMatchObject({ kind: 'stopped', by: { id: 'guardian' } });

    // The list says why it ended, from the run's memo (visibility lags a little behind the run).
    const listed = await retryCli(
      () => cli(['list', '--system', system, '--json'], 'rm'),
      (r) => runsIn(r.stdout).some((x) => x.runId === runId && x.failure),
    );
    expect(runsIn(listed.stdout).find((x) => x.runId === runId)?.failure).toEqual({
      kind: 'stopped',
      by: 'guardian',
      reason: 'bias found in hypercare',
    });
    const table = await cli(['list', '--system', system], 'rm');
    expect(table.stdout.split('\n').find((l) => l.startsWith(runId))).toMatch(
      /rolled-back\s+stopped by guardian: bias found in hypercare/,
    );
  });

  it('rollback --no-wait says the run is rolling back and how to follow it; --json waits and prints the run as it ended', async () => {
    const start = async (): Promise<string> => {
      const r = await cli(['start', '--runbook', 'web-small', '--system', system, '--mode', '2'], 'rm');
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const first = await start();
    const quick = await cli(['rollback', first, '--reason', 'wrong model', '--no-wait'], 'guardian');
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toBe(`${first}: rolling back — wrong model\n`);
    expect(quick.stderr).toContain(`follow it: golive status ${first} --follow`);

    const second = await start();
    const waited = await cli(['rollback', second, '--reason', 'wrong model', '--json'], 'guardian');
    expect(waited.code, waited.stderr).toBe(0);
    const state = JSON.parse(waited.stdout) as RunStateView;
    expect(state.status).toBe('rolled-back');
    expect(state.failure).toMatchObject({ kind: 'rollback-requested', reason: 'wrong model' });

    // The system has had several runs by now: a list cut by --limit says where to go on.
    const page = await cli(['list', '--system', system, '--limit', '1', '--json'], 'rm');
    const firstPage = JSON.parse(page.stdout) as RunPage;
    expect(firstPage.runs).toHaveLength(1);
    expect(firstPage.nextPageToken).toEqual(expect.any(String));
    const next = await cli(
      ['list', '--system', system, '--limit', '1', '--page-token', firstPage.nextPageToken!],
      'rm',
    );
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).not.toContain(firstPage.runs[0]!.runId);
    expect(next.stdout).toContain(`golive-${system}-`);
  });
});

describe('the server refuses', () => {
  it('a start the runbook does not allow: exit 1 with each field named as its flag', async () => {
    const r = await cli(
      ['start', '--runbook', SMALL_RUNBOOK, '--system', system, '--mode', '5', '--param', 'extra=1'],
      'rm',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('golive: the run cannot start with this input');
    expect(r.stderr).toMatch(/--mode \(collaborationMode\): /);
    expect(r.stderr).toMatch(/--param \(params\.extra\): /);
  });

  it("a local runbook file that differs from the server's copy: exit 1 before anything starts", async () => {
    const edited = path.join(out, 'web-small-edited.yaml');
    fs.writeFileSync(
      edited,
      `${fs.readFileSync(path.join(FIXTURE_RUNBOOKS, 'web-small.yaml'), 'utf8')}\n# reviewed locally, never deployed\n`,
    );
    const editedSystem = `${system}-edited`;
    const r = await cli(
      ['start', '--runbook', edited, '--system', editedSystem, '--mode', '2', '--assign', 'guardian=guardian'],
      'rm',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the server's runbook web-small .* differs from .*web-small-edited\.yaml/);
    const runs = await cli(['list', '--system', editedSystem, '--json'], 'rm');
    expect(JSON.parse(runs.stdout)).toEqual({ runs: [] });
  });

  it('a token the server does not know: exit 1, naming GOLIVE_TOKEN', async () => {
    const r = await stack().cli(['list'], { env: { GOLIVE_TOKEN: 'not-a-real-token' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the server did not accept GOLIVE_TOKEN');
  });
});

describe('golive login', () => {
  it('checks the token, saves url and token with mode 600, and later commands use them', async () => {
    const home = tempDir('golive-cli-login-');
    try {
      const env = { HOME: home, GOLIVE_URL: '' };
      const bad = await stack().cli(['login', '--url', stack().app.url], { env, input: 'wrong-token\n' });
      expect(bad.code).toBe(1);
      expect(fs.existsSync(path.join(home, '.config/golive/config.json'))).toBe(false);

      const r = await stack().cli(['login', '--url', stack().app.url], { env, input: `${stack().tokenOf('ops')}\n` });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('logged in to');
      const file = path.join(home, '.config/golive/config.json');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
        url: stack().app.url,
        token: stack().tokenOf('ops'),
      });

      const me = await stack().cli(['whoami', '--json'], { env });
      expect(me.code, me.stderr).toBe(0);
      expect(JSON.parse(me.stdout)).toMatchObject({ user: { id: 'ops' }, via: 'token' });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
