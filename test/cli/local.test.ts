import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunbookRegistry } from '../../src/runbook/registry';
import { eventually } from '../support/eventually';
import { BIN, runCli, tempDir } from './support';

/** What the CLI does with no server: runbook files, help, usage errors, a missing token. */

const fixtures = path.resolve(__dirname, '../fixtures/runbooks');
const home = tempDir('golive-cli-local-');
// An address nothing listens on: these commands must fail before (or without) reaching it.
const env = { HOME: home, GOLIVE_URL: 'http://127.0.0.1:9' };
const cli = (...args: string[]) => runCli(args, env);

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('golive runbook', () => {
  it('validate: a good file exits 0 and says what it is', async () => {
    const r = await cli('runbook', 'validate', path.join(fixtures, 'valid.yaml'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/valid — small 1\.0\.0, 5 steps, sha256 [0-9a-f]{64}/);
  });

  it('validate and show count the entry criteria as the first step, and say so', async () => {
    const defaultRunbook = path.resolve(__dirname, '../../runbooks/default.yaml');
    const validate = await cli('runbook', 'validate', defaultRunbook);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(
      /valid — ai-go-live [\d.]+, 23 steps, including the entry criteria, sha256 [0-9a-f]{64}/,
    );
    const show = await cli('runbook', 'show', defaultRunbook);
    expect(show.stdout.split('\n')[0]).toMatch(
      /\(ai-go-live [\d.]+\): 23 steps, including the entry criteria, in \d+ stages$/,
    );
    expect(show.stdout.match(/^ {2}\S+: /gm)).toHaveLength(23);
    expect(show.stdout).toMatch(/^ {2}entry-criteria: /m);
    const json = await cli('runbook', 'validate', defaultRunbook, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, steps: 23 });
    // The server's runbook list (GET /api/runbooks) counts the same way.
    const listed = await new RunbookRegistry(path.dirname(defaultRunbook)).list();
    expect(listed.find((l) => l.id === 'ai-go-live')).toMatchObject({ steps: 23 });
    // Without entry criteria there is nothing to add.
    expect((await cli('runbook', 'show', path.join(fixtures, 'valid.yaml'))).stdout.split('\n')[0]).toBe(
      'Small runbook (small 1.0.0): 5 steps in 4 stages',
    );
  });

  it('validate: a broken file exits 1 with the field path and line of each problem', async () => {
    const r = await cli('runbook', 'validate', path.join(fixtures, 'undeclared-role.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /undeclared-role\.yaml:40 steps\[3\]\.approvers\[0\]\.role: role "guardan" is not declared/,
    );
    expect(r.stdout).toBe('');

    const json = await cli('runbook', 'validate', path.join(fixtures, 'yaml-syntax.yaml'), '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      issues: [{ path: '(root)', line: expect.any(Number), message: expect.stringContaining('YAML syntax') }],
    });
  });

  it('show: the plan as stages, or as Mermaid', async () => {
    const plan = await cli('runbook', 'show', path.join(fixtures, 'valid.yaml'));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Stage 1 (2 in parallel)');
    expect(plan.stdout).toContain('approval by guardian within 1d');
    const mermaid = await cli('runbook', 'show', path.join(fixtures, 'valid.yaml'), '--mermaid');
    expect(mermaid.stdout.startsWith('flowchart TD')).toBe(true);
  });
});

// Each case is its own short process: run them side by side.
describe('golive login --no-open', () => {
  it('with stdin not a terminal starts the browser login it describes, not a read of a token from stdin', async () => {
    const child = spawn(process.execPath, [BIN, 'login', '--no-open'], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end('');
    try {
      const address = await Promise.race([
        eventually(
          async () => /(http:\/\/127\.0\.0\.1:9\/auth\/cli\?\S+)/.exec(stderr)?.[1],
          'the address to open',
          60_000,
        ),
        exited.then((code) => Promise.reject(new Error(`golive login exited ${code}: ${stderr}`))),
      ]);
      expect(new URL(address).searchParams.get('challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    } finally {
      child.kill();
      await exited;
    }
    // Asking for both ways at once is a usage error.
    const both = await cli('login', '--no-open', '--token');
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('--token reads a token')]);
  });
});

describe.concurrent('usage errors exit 2 and name what is wrong', () => {
  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['status'], 'RUN is required'],
    [['status', 'r1', '--bogus'], 'unknown flag --bogus'],
    [['start', '--runbook', 'web-small', '--system', 'x'], '--mode is required'],
    [['start', '--runbook', 'web-small', '--system', 'x', '--mode', '9'], '--mode: must be at most 5'],
    [['start', '--runbook', 'web-small', '--system', 'x', '--mode', '0'], '--mode: must be at least 1'],
    [['start', '--runbook', 'web-small', '--system', '', '--mode', '1'], '--system must not be empty'],
    [
      ['start', '--runbook', 'web-small', '--system', 'x', '--mode', '1', '--assign', 'Bad Role=x'],
      '--assign: key "Bad Role": must be',
    ],
    [['list', '--limit', '5000'], '--limit: must be at most 1000'],
    [['status', ''], 'RUN must not be empty'],
    [['dossier', 'r1', '--out', ''], '--out must not be empty'],
    [['status', 'r1', '--json=yes'], '--json takes no value'],
    [['report', '--severity', 'huge'], '--severity: must be one of: low, medium, high, critical'],
    [['reject', 'r1', 'step'], '--comment is required'],
    [['evidence', 'r1', 'step', '--item', 'a'], 'give exactly one of --value and --file'],
    [['list', '--state', 'nope'], '--state: must be one of: running, waiting,'],
    [['start', '--runbook', 'Bad Id', '--system', 'x', '--mode', '1'], '--runbook: must be a runbook id'],
    [['verify', 'dossier/', '--expect-manifest', 'abc'], '--expect-manifest: must be a SHA-256: 64 hex digits'],
    [['verify', 'dossier/', '--expect-manifest'], '--expect-manifest needs a value'],
  ])('golive %j', async (args, message) => {
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('--help" for usage');
    // One voice for every command (args.ts usageProblems): never zod's own words.
    expect(r.stderr).not.toMatch(/Invalid (input|option|string|key)|Too (big|small)|expected \w+, received|>=|<=/);
    // One problem per input: an empty value is "must not be empty", not that and its pattern too.
    if (args.includes('')) expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(2);
  });

  it('--help exits 0 with the commands; a command help lists its flags', async () => {
    const all = await cli('--help');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('approve RUN STEP');
    const one = await cli('start', '--help');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('Usage: golive start --runbook ID|FILE --system NAME --mode N [options]');
    // --value reads JSON scalars only: the help once said "JSON is read as JSON", and a document
    // given as {"name":…,"sha256":…} went as text and was refused; it points to --file instead.
    const evidence = await cli('evidence', '--help');
    expect(evidence.stdout).not.toContain('JSON is read as JSON');
    expect(evidence.stdout).toContain('a document item takes --file');
  });
});

it('without a token: a clear error and exit 1, before any request', async () => {
  const r = await cli('status', 'some-run');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('no API token: set GOLIVE_TOKEN, or run "golive login"');
});
