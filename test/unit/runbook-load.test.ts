import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPath } from '../../src/runbook/issues';
import {
  formatRunbookIssues,
  loadRunbookFile,
  parseRunbookText,
  RunbookError,
  sha256Hex,
} from '../../src/runbook/load';
import { RunbookRegistry } from '../../src/runbook/registry';

const FIXTURES = path.resolve(__dirname, '../fixtures/runbooks');
const DEFAULT_RUNBOOK = path.resolve(__dirname, '../../runbooks/default.yaml');

async function loadError(file: string): Promise<RunbookError> {
  const error = await loadRunbookFile(path.join(FIXTURES, file)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunbookError);
  return error as RunbookError;
}

import { SHIPPED_SANDBOX } from '../../bench/fixtures';

describe('the default runbook', () => {
  it('loads, validates and is pinned by the hash of its bytes', async () => {
    const { runbook, ref } = await loadRunbookFile(DEFAULT_RUNBOOK, { sandbox: SHIPPED_SANDBOX });
    expect(ref.id).toBe(runbook.id);
    expect(ref.version).toBe(runbook.version);
    expect(ref.sha256).toBe(sha256Hex(fs.readFileSync(DEFAULT_RUNBOOK)));
    expect(runbook.roles.map((r) => r.id).sort()).toEqual([
      'ai-product-manager',
      'business-sponsor',
      'end-user',
      'guardian',
      'implementation-engineer',
      'operations',
    ]);
    // The addresses default to the sandbox golive runs; checked on its own, they must be given.
    expect(runbook.parameters.targetUrl?.default).toBe('http://127.0.0.1:8410');
    expect((await loadRunbookFile(DEFAULT_RUNBOOK)).runbook.parameters.targetUrl?.default).toBeUndefined();
    expect(runbook.steps.at(-1)?.kind).toBe('hypercare');
  });

  it('covers the Delivery phase in order', async () => {
    const { runbook } = await loadRunbookFile(DEFAULT_RUNBOOK);
    const ids = runbook.steps.map((s) => s.id);
    const order = [
      'system-connections',
      'access-apply',
      'deploy-release-candidate',
      'load-test',
      'stress-test',
      'failover-test',
      'rollback-drill',
      'oversight-protocol',
      'oversight-signoff',
      'dossier-signoff',
      'monitoring-activate',
      'monitoring-verify',
      'canary-analysis',
      'gate-4',
      'go-live',
      'hypercare',
    ];
    expect(order.map((id) => ids.indexOf(id))).toEqual([...order.map((id) => ids.indexOf(id))].sort((a, b) => a - b));
    expect(order.every((id) => ids.includes(id))).toBe(true);
    const gate4 = runbook.steps.find((s) => s.id === 'gate-4');
    expect(gate4?.kind === 'approval' && gate4.approvers.map((a) => a.role)).toEqual(['business-sponsor']);
    const dossier = runbook.steps.find((s) => s.id === 'dossier-signoff');
    expect(dossier?.kind === 'approval' && dossier.approvers.map((a) => a.role)).toEqual([
      'guardian',
      'business-sponsor',
    ]);
  });
});

/** [file, path of the first issue, its line, what the message must say]. */
const BROKEN: [string, string, number, RegExp][] = [
  ['unknown-field.yaml', 'steps[0].timout', 17, /unknown field "timout"; did you mean "timeout"/],
  ['unknown-field.json', 'stepz', 6, /unknown field "stepz"; did you mean "steps"/],
  [
    'unknown-action.yaml',
    'steps[0].action',
    16,
    /unknown action "http-chek"; did you mean "http-check"\? \(known: http-check, tcp-check/,
  ],
  [
    'unknown-kind.yaml',
    'steps[3].kind',
    38,
    /"aproval" is not one of "action", "approval", "evidence" and "hypercare"/,
  ],
  ['cycle.yaml', 'steps[2].after', 33, /cycle: report → signoff → report/],
  [
    'undeclared-role.yaml',
    'steps[3].approvers[0].role',
    40,
    /role "guardan" is not declared in roles; did you mean "guardian"\? \(declared: guardian, operations\)/,
  ],
  ['duplicate-step-id.yaml', 'steps[2].id', 30, /duplicate step id "health"/],
  ['reserved-step-id.yaml', 'steps[2].id', 30, /"entry-criteria" is reserved/],
  ['bad-duration.yaml', 'steps[3].deadline', 42, /must be a duration such as/],
  ['bad-version.yaml', 'version', 3, /must be a semantic version/],
  ['after-unknown-step.yaml', 'steps[2].after[1]', 33, /step "port" does not exist; did you mean "ports"/],
  [
    'undeclared-param.yaml',
    'steps[0].params.endpoints[0].url',
    20,
    /\$\{params\.targetURL\} names no declared parameter; did you mean "targetUrl"/,
  ],
  ['action-param-invalid.yaml', 'steps[0].params.endpoints[0].expectStatus', 21, /must be at most 599/],
  [
    'action-param-unknown-key.yaml',
    'steps[0].params.endpoints[0].expectedStatus',
    21,
    /unknown field "expectedStatus"; did you mean "expectStatus"/,
  ],
  ['quorum-zero.yaml', 'steps[3].approvers[0].quorum', 40, /must be at least 1/],
  ['hypercare-not-last.yaml', 'steps[4].kind', 45, /hypercare must be the last step \(it is followed by "late"\)/],
  [
    'covers-non-evidence.yaml',
    'steps[3].covers[0]',
    41,
    /"health" is an action step; an approval covers evidence steps only/,
  ],
  ['min-greater-than-max.yaml', 'steps[2].items[0].min', 35, /min \(0\.9\) is greater than max \(0\.5\)/],
  ['escalation-after-deadline.yaml', 'steps[3].escalation[0].after', 44, /30h is not before the deadline \(24h\)/],
  ['param-default-wrong-type.yaml', 'parameters.label.default', 11, /must be a number, not "sandbox"/],
  ['missing-field.yaml', 'steps[3].deadline', 36, /is required/],
  ['yaml-syntax.yaml', '(root)', 42, /YAML syntax: Flow sequence/],
];

describe('broken runbooks are rejected with path, line and reason', () => {
  it('has a fixture for every case', () => {
    const files = fs.readdirSync(FIXTURES);
    expect(BROKEN.filter(([f]) => !files.includes(f))).toEqual([]);
  });

  it.each(BROKEN)('%s → %s (line %i)', async (file, issuePath, line, reason) => {
    const error = await loadError(file);
    const first = error.issues[0]!;
    expect(formatPath(first.path)).toBe(issuePath);
    expect(first.line).toBe(line);
    expect(first.message).toMatch(reason);
  });

  it('formats every issue as file:line path: message', async () => {
    const error = await loadError('undeclared-role.yaml');
    expect(formatRunbookIssues('small.yaml', error.issues)).toBe(
      'small.yaml:40 steps[3].approvers[0].role: role "guardan" is not declared in roles; did you mean "guardian"? (declared: guardian, operations)',
    );
  });

  it('reports all problems at once, in file order', () => {
    const text = fs
      .readFileSync(path.join(FIXTURES, 'valid.yaml'), 'utf8')
      .replace('{ role: guardian }', '{ role: guardan }')
      .replace('action: http-check', 'action: http-chek');
    const error = (() => {
      try {
        parseRunbookText(text, { source: 'two.yaml' });
      } catch (e) {
        return e as RunbookError;
      }
      throw new Error('expected a RunbookError');
    })();
    expect(error.issues.map((i) => formatPath(i.path))).toEqual(['steps[0].action', 'steps[3].approvers[0].role']);
  });
});

describe('one pass reports every problem, even when the schema fails', () => {
  const errorOf = (text: string): RunbookError => {
    try {
      parseRunbookText(text, { source: 'broken.yaml' });
    } catch (e) {
      if (e instanceof RunbookError) return e;
      throw e;
    }
    throw new Error('expected a RunbookError');
  };

  it('quotes a long wrong value in part, with its length (a 3 MB string was printed whole)', () => {
    const error = errorOf('a'.repeat(3_000_000));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.message).toBe(`must be an object, not string "${'a'.repeat(78)}… (3000000 characters)`);
  });

  it('quotes a wrong value with its C1 characters escaped, not printed to the terminal as they are', () => {
    const error = errorOf('"u\\x85\\x9b2J"');
    expect(error.issues[0]!.message).toBe('must be an object, not string "u\\u0085\\u009b2J"');
  });

  it('reports a bad duration, an unknown action, an unknown after target and an undeclared role together', async () => {
    const error = await loadError('several-mistakes.yaml');
    expect(error.issues.map((i) => [formatPath(i.path), i.line])).toEqual([
      ['steps[0].timeout', 159],
      ['steps[1].after[0]', 166],
      ['steps[5].action', 235],
      ['steps[10].approvers[0].role', 345],
    ]);
    const [timeout, after, action, role] = error.issues.map((i) => i.message);
    expect(timeout).toMatch(/must be a duration such as/);
    expect(after).toMatch(
      /step "entry-critera" does not exist; did you mean "entry-criteria"\? \(steps: entry-criteria, system-connections,/,
    );
    expect(action).toMatch(/unknown action "load-tst"; did you mean "load-test"\?/);
    expect(role).toMatch(/role "gaurdian" is not declared in roles; did you mean "guardian"\?/);
  });

  it('keeps an unreadable step in the graph: others may wait for it, and nothing inside it is guessed', () => {
    const text = fs
      .readFileSync(path.join(FIXTURES, 'valid.yaml'), 'utf8')
      .replace('kind: evidence', 'kind: evidense')
      .replace('{ role: guardian }', '{ role: guardan }');
    const error = errorOf(text);
    const found = error.issues.map((i) => `${formatPath(i.path)}:${i.line}`);
    expect(found).toEqual(['steps[2].kind:32', 'steps[3].approvers[0].role:40']);
    // "covers: [report]" names the unreadable step: not reported as missing.
    expect(error.issues.some((i) => /does not exist/.test(i.message))).toBe(false);
  });

  it('checks the rest of a step whose broken field may be left out', () => {
    const text = fs
      .readFileSync(path.join(FIXTURES, 'valid.yaml'), 'utf8')
      .replace('action: tcp-check', 'action: tcp-chek\n    timeout: soon')
      .replace('covers: [report]', 'covers: [reprt]');
    const found = errorOf(text).issues.map((i) => `${formatPath(i.path)}:${i.line}`);
    expect(found).toEqual(['steps[1].action:25', 'steps[1].timeout:26', 'steps[3].covers[0]:42']);
  });

  it('says every problem once', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'valid.yaml'), 'utf8').replace('id: report\n', 'id: health\n');
    const messages = errorOf(text).issues.map((i) => `${formatPath(i.path)} ${i.message}`);
    expect(new Set(messages).size).toBe(messages.length);
  });
});

describe('pinning', () => {
  it('hashes the exact bytes: a whitespace edit changes the hash, not the runbook', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'valid.yaml'), 'utf8');
    const a = parseRunbookText(text, { source: 'a.yaml' });
    const b = parseRunbookText(`${text}\n`, { source: 'a.yaml' });
    expect(b.runbook).toEqual(a.runbook);
    expect(b.ref.sha256).not.toBe(a.ref.sha256);
    expect(a.ref.sha256).toBe(sha256Hex(Buffer.from(text, 'utf8')));
  });
});

describe('RunbookRegistry', () => {
  it('lists valid and invalid runbooks and gets one by id', async () => {
    const registry = new RunbookRegistry(FIXTURES);
    const list = await registry.list();
    const valid = list.filter((l) => l.valid && l.id === 'small');
    expect(valid).toHaveLength(1);
    expect(valid[0]).toMatchObject({ version: '1.0.0', title: 'Small runbook', steps: 5 });
    const broken = list.find((l) => path.basename(l.file) === 'cycle.yaml');
    expect(broken?.valid).toBe(false);
    expect(broken?.issues?.[0]?.message).toMatch(/cycle/);
    expect((await registry.get('small')).ref.sha256).toBe(valid[0]!.sha256);
    await expect(registry.get('nope')).rejects.toThrow(/no valid runbook "nope"/);
  });

  it("parses a file once per content: an edit is seen at once, a copy handed out is the caller's own", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-registry-'));
    const file = path.join(dir, 'small.yaml');
    const text = fs.readFileSync(path.join(FIXTURES, 'valid.yaml'), 'utf8');
    fs.writeFileSync(file, text);
    const registry = new RunbookRegistry(dir);
    const first = await registry.loadFile('small.yaml');
    first.runbook.title = 'changed by a caller';
    const again = await registry.loadFile('small.yaml');
    expect(again.runbook.title).not.toBe('changed by a caller');
    expect(again.ref).toEqual(first.ref);

    fs.writeFileSync(file, text.replace(/^title: .*$/m, 'title: Edited title'));
    const edited = await registry.loadFile('small.yaml');
    expect(edited.runbook.title).toBe('Edited title');
    expect(edited.ref.sha256).not.toBe(first.ref.sha256);

    fs.writeFileSync(file, 'steps: [');
    await expect(registry.loadFile('small.yaml')).rejects.toBeInstanceOf(RunbookError);
    expect((await registry.list())[0]).toMatchObject({ valid: false });
    fs.writeFileSync(file, text);
    expect((await registry.loadFile('small.yaml')).ref.sha256).toBe(first.ref.sha256);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the default runbook in runbooks/', async () => {
    const registry = new RunbookRegistry(path.dirname(DEFAULT_RUNBOOK));
    const { runbook } = await registry.get('ai-go-live');
    expect(runbook.title).toMatch(/Delivery/);
  });
});
