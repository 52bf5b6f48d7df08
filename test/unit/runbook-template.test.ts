import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbookFile } from '../../src/runbook/load';
import { fillParams, fillRunbook, placeholdersIn, resolveRunParams } from '../../src/runbook/template';

const VALID = path.resolve(__dirname, '../fixtures/runbooks/valid.yaml');

describe('fillParams', () => {
  const values = { url: 'http://h:1', port: 8410, on: true };

  it('keeps the type of a whole-string placeholder and stringifies embedded ones', () => {
    expect(
      fillParams(
        { port: '${params.port}', on: '${params.on}', url: '${params.url}/health', note: 'port ${params.port}' },
        values,
      ),
    ).toEqual({
      port: 8410,
      on: true,
      url: 'http://h:1/health',
      note: 'port 8410',
    });
  });

  it('never touches secrets, and leaves parameters without a value as written', () => {
    const input = {
      headers: { authorization: 'Bearer ${secrets.TOKEN}' },
      list: ['${secrets.A}', '${params.missing}'],
    };
    expect(fillParams(input, values)).toEqual(input);
  });

  it('finds placeholders with their paths, flagging unknown forms', () => {
    expect(placeholdersIn({ a: ['${params.x} ${secrets.Y}'], b: '${param.z}' })).toEqual([
      { path: ['a', 0], param: 'x' },
      { path: ['b'], unknown: '${param.z}' },
    ]);
  });
});

describe('fillRunbook', () => {
  it('fills action params and leaves the secret placeholder for the activity', async () => {
    const { runbook } = await loadRunbookFile(VALID);
    const filled = fillRunbook(runbook, { targetUrl: 'http://10.0.0.1:80', port: 5432, label: 'prod' });
    const [health, ports] = filled.steps;
    expect(health?.kind === 'action' && health.params).toEqual({
      endpoints: [
        {
          name: 'health of prod',
          url: 'http://10.0.0.1:80/health',
          headers: { authorization: 'Bearer ${secrets.SANDBOX_TOKEN}' },
        },
      ],
    });
    expect(ports?.kind === 'action' && ports.params).toEqual({ targets: [{ host: '127.0.0.1', port: 5432 }] });
    // The loaded runbook itself is not changed.
    expect(runbook.steps[1]?.kind === 'action' && runbook.steps[1].params).toEqual({
      targets: [{ host: '127.0.0.1', port: '${params.port}' }],
    });
  });
});

describe('resolveRunParams', () => {
  const declared = {
    targetUrl: { type: 'url', default: 'http://127.0.0.1:8410' },
    port: { type: 'number' },
    dryRun: { type: 'boolean', default: false },
  } as const;

  it('fills defaults and converts text to the declared type', () => {
    expect(resolveRunParams(declared, { port: '5432', dryRun: 'true' })).toEqual({
      values: { targetUrl: 'http://127.0.0.1:8410', port: 5432, dryRun: true },
      issues: [],
    });
  });

  it('a name only Object.prototype has (constructor) is unknown, not a declared parameter', () => {
    const { issues } = resolveRunParams(declared, { targetUrl: 'http://x', port: 1, constructor: 'x' });
    expect(issues).toEqual([
      { path: ['params', 'constructor'], message: 'unknown parameter (declared: "targetUrl", "port" and "dryRun")' },
    ]);
  });

  it('names each bad parameter: wrong type, unknown, required', () => {
    const { issues } = resolveRunParams(declared, { targetUrl: 'ftp://x', dryRun: 'maybe', colour: 'red' });
    expect(issues).toEqual([
      { path: ['params', 'targetUrl'], message: 'must be an http(s) URL, not "ftp://x"' },
      { path: ['params', 'dryRun'], message: 'must be true or false, not "maybe"' },
      { path: ['params', 'colour'], message: 'unknown parameter (declared: "targetUrl", "port" and "dryRun")' },
      { path: ['params', 'port'], message: 'is required (number)' },
    ]);
  });

  it('a control character in a URL is refused as such, and a quoted value escapes C1 characters', () => {
    const { issues } = resolveRunParams(declared, {
      targetUrl: 'http://h/a\u0085b',
      port: 'x\u009b2J',
      dryRun: 'no\u007f',
    });
    expect(issues).toEqual([
      {
        path: ['params', 'targetUrl'],
        message: 'must not contain control characters (such as NUL or ESC; tab and line breaks are fine)',
      },
      { path: ['params', 'port'], message: 'must be a number, not "x\\u009b2J"' },
      { path: ['params', 'dryRun'], message: 'must be true or false, not "no\\u007f"' },
    ]);
  });
});
