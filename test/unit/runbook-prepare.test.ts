import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goLiveInputSchema } from '../../src/contract/schemas/messages';
import { formatPath, StartInputError } from '../../src/runbook/issues';
import { loadRunbookFile } from '../../src/runbook/load';
import { prepareRun, type PrepareRunInput } from '../../src/runbook/prepare';
import { SHIPPED_SANDBOX } from '../../bench/fixtures';
import { notifyChannelsFromConfig } from '../../src/notifyChannels';
import { OutboundPolicy } from '../../src/outbound/allowlist';
import { checkActionCall } from '../../src/runbook/actions';
import { targetOf } from '../../src/server/targetLock';

const VALID = path.resolve(__dirname, '../fixtures/runbooks/valid.yaml');
const DEFAULT_RUNBOOK = path.resolve(__dirname, '../../runbooks/default.yaml');

async function input(overrides: Partial<PrepareRunInput> = {}): Promise<PrepareRunInput> {
  return {
    loaded: await loadRunbookFile(VALID),
    system: 'credit-scoring',
    collaborationMode: 3,
    initiator: { id: 'rita' },
    assignments: { guardian: ['gus'], operations: ['olga'] },
    params: { port: 8410 },
    ...overrides,
  };
}

function startErrors(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StartInputError);
    return (error as StartInputError).issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  }
  throw new Error('expected a StartInputError');
}

describe('prepareRun', () => {
  it('returns a start input that the workflow accepts, params filled and pinned', async () => {
    const given = await input();
    const prepared = prepareRun(given);
    expect(goLiveInputSchema.parse(prepared)).toEqual(prepared);
    expect(prepared.runbookRef).toEqual(given.loaded.ref);
    expect(prepared.params).toEqual({ targetUrl: 'http://127.0.0.1:8410', port: 8410, label: 'sandbox' });
    const ports = prepared.runbook.steps[1];
    expect(ports?.kind === 'action' && ports.params).toEqual({ targets: [{ host: '127.0.0.1', port: 8410 }] });
  });

  it('records the notification channels it is given (none: the run records notifications instead of sending)', async () => {
    expect(prepareRun(await input()).notifyChannels).toBeUndefined();
    for (const channels of [[], ['slack', 'email']] as const) {
      const prepared = prepareRun(await input({ notifyChannels: [...channels] }));
      expect(prepared.notifyChannels).toEqual(channels);
      expect(goLiveInputSchema.parse(prepared)).toEqual(prepared);
    }
    expect(notifyChannelsFromConfig({})).toEqual([]);
    expect(
      notifyChannelsFromConfig({
        GOLIVE_SLACK_WEBHOOK_URL: 'https://hooks.example/x',
        GOLIVE_SMTP_HOST: 'smtp.example',
      }),
    ).toEqual(['slack', 'email']);
  });

  it('prepares the default runbook with no parameters at all', async () => {
    const people = [
      'implementation-engineer',
      'ai-product-manager',
      'guardian',
      'business-sponsor',
      'end-user',
      'operations',
    ];
    const prepared = prepareRun({
      loaded: await loadRunbookFile(DEFAULT_RUNBOOK, { sandbox: SHIPPED_SANDBOX }),
      system: 'sandbox',
      collaborationMode: 2,
      initiator: { id: 'release-manager' },
      assignments: Object.fromEntries(people.map((role) => [role, [`${role}-1`]])),
    });
    expect(JSON.stringify(prepared.runbook)).not.toContain('${params.');
  });

  it('accepts a URL whose scheme is upper or mixed case, writes it in lower case, and locks and checks it as one', async () => {
    const people = [
      'implementation-engineer',
      'ai-product-manager',
      'guardian',
      'business-sponsor',
      'end-user',
      'operations',
    ];
    const start = async (targetUrl: string, allow: string) =>
      prepareRun({
        loaded: await loadRunbookFile(DEFAULT_RUNBOOK, { sandbox: SHIPPED_SANDBOX }),
        system: 'sandbox',
        collaborationMode: 2,
        initiator: { id: 'release-manager' },
        assignments: Object.fromEntries(people.map((role) => [role, [`${role}-1`]])),
        params: { targetUrl },
        outbound: OutboundPolicy.parse(allow),
      });
    const lower = await start('http://127.0.0.1:8410', '127.0.0.1:8410');
    for (const written of ['HTTP://127.0.0.1:8410', 'Http://127.0.0.1:8410']) {
      const prepared = await start(written, '127.0.0.1:8410');
      expect(prepared.params.targetUrl).toBe('http://127.0.0.1:8410');
      expect(JSON.stringify(prepared.runbook)).not.toMatch(/HTTP:|Http:/);
      expect(targetOf(prepared)).toBe(targetOf(lower));
    }
    // The outbound policy reads the host and port of a mixed-case URL too: another port is refused.
    const refused = await start('HTTPS://127.0.0.1:8411', '127.0.0.1:8410').then(
      () => [],
      (e: StartInputError) => e.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
    );
    expect(refused[0]).toMatch(/^params\.targetUrl: .*127\.0\.0\.1:8411/);
    // A control character inside a URL is refused like anywhere else (QA: a NUL reached history).
    for (const written of [
      'http://127.0.0.1:8410\u0000',
      'https://c.example.com\u0000.evil.com',
      'http://a.example\u001b',
    ])
      await expect(start(written, '127.0.0.1:8410')).rejects.toThrow(/params\.targetUrl|must be an http\(s\) URL/);
    // A runbook may write the scheme in any case as well.
    expect(
      checkActionCall({ action: 'http-check', params: { endpoints: [{ url: 'HTTPS://a.example/health' }] } }, []),
    ).toEqual([]);
  });

  it('rejects a Collaboration Mode the runbook does not allow', async () => {
    const given = await input();
    given.loaded.runbook.collaborationModes = [1, 2];
    expect(startErrors(() => prepareRun(given))).toEqual([
      'collaborationMode: Collaboration Mode 3 is not allowed by runbook small (allowed: 1, 2)',
    ]);
  });

  it('rejects roles nobody holds, assignments to undeclared roles, and unreachable quorums', async () => {
    const given = await input({ assignments: { guardian: ['rita'], auditor: ['al'] } });
    expect(startErrors(() => prepareRun(given))).toEqual([
      'assignments.auditor: role "auditor" is not declared by runbook small (declared: guardian, operations)',
      'assignments.operations: nobody is assigned to role "operations", which must submit evidence (steps[2].items[0].submittedBy[0])',
      'assignments.guardian: step "signoff" needs 1 approval from distinct "guardian" people other than the initiator, but 0 are assigned',
    ]);
  });

  it('rejects bad parameters, each by name', async () => {
    const given = await input({ params: { port: 'eighty', colour: 'red' } });
    expect(startErrors(() => prepareRun(given))).toEqual([
      'params.port: must be a number, not "eighty"',
      'params.colour: unknown parameter (declared: "targetUrl", "port" and "label")',
    ]);
  });

  it('blames the run parameter that made an action param invalid, naming the field it fills', async () => {
    const given = await input({ params: { port: 70000 } });
    expect(startErrors(() => prepareRun(given))).toEqual([
      'params.port: must be at most 65535 (it fills steps[1].params.targets[0].port)',
    ]);
  });

  it('rejects a system name the workflow would refuse', async () => {
    const given = await input({ system: 'no spaces please' });
    expect(startErrors(() => prepareRun(given))).toEqual(['system: must be a system name (letters, digits, . _ -)']);
  });
});
