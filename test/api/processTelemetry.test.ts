import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/temporal/portCheck';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/temporal';

/**
 * `npm start`'s own telemetry, as an operator switches it on: the real entry point in a child
 * process (connected to the suite's Temporal server), OpenTelemetry traces exported over OTLP to
 * a collector stand-in here, and the Temporal worker's metrics on their own address.
 */
const MAIN = path.resolve(__dirname, '../../src/main.ts');

interface OtlpSpan {
  traceId: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

const RUNBOOK = (checkUrl: string) => `
id: traced
version: 1.0.0
title: Traced go-live
roles: [{ id: operations, title: Operations }]
steps:
  - id: check
    kind: action
    title: The service answers
    action: http-check
    params: { endpoints: [{ url: "${checkUrl}", expectStatus: 200 }] }
`;

describe('npm start with OTEL_* settings', () => {
  const spans: OtlpSpan[] = [];
  let collector: http.Server;
  let collectorUrl: string;
  let child: ChildProcess | undefined;
  let output = '';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-otel-'));

  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
          for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    collector.closeAllConnections();
    collector.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'exports one trace from the HTTP request through the workflow to the activity, and serves worker metrics',
    { timeout: 240_000 },
    async () => {
      const runbooksDir = path.join(dataDir, 'runbooks');
      fs.mkdirSync(runbooksDir);
      fs.writeFileSync(path.join(runbooksDir, 'traced.yaml'), RUNBOOK(`${collectorUrl}/health`));
      const [webPort, metricsPort] = [await freePort(), await freePort()];
      child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN], {
        env: {
          HOME: os.homedir(),
          PATH: process.env.PATH ?? '',
          GOLIVE_DATA_DIR: dataDir,
          GOLIVE_PORT: String(webPort),
          GOLIVE_SANDBOX: 'false',
          GOLIVE_RUNBOOKS_DIR: runbooksDir,
          GOLIVE_TASK_QUEUE: uniqueId('otel'),
          GOLIVE_LOG_FORMAT: 'json',
          GOLIVE_WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
          // The traced check calls the collector on loopback: the outbound policy must allow it.
          GOLIVE_OUTBOUND_ALLOW: '127.0.0.1',
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_SERVICE_NAME: 'golive-under-test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
      child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
      await eventually(
        async () =>
          output.includes('golive is running')
            ? true
            : child?.exitCode !== null
              ? Promise.reject(new Error(output))
              : undefined,
        () => `golive to start: ${output.slice(-800)}`,
        180_000,
        500,
      );
      expect(output).toContain('OpenTelemetry on');

      const token = /^rm .*token=(\S+)/m.exec(fs.readFileSync(path.join(dataDir, 'demo-credentials.txt'), 'utf8'))![1]!;
      const started = await fetch(`http://127.0.0.1:${webPort}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          runbook: 'traced',
          system: 'traced',
          collaborationMode: 1,
          assignments: { operations: ['ops'] },
        }),
      });
      expect(started.status).toBe(201);

      const activity = await eventually(
        async () => spans.find((s) => s.name === 'RunActivity:httpCheck'),
        'the activity span',
        60_000,
        500,
      );
      const trace = spans.filter((s) => s.traceId === activity.traceId);
      // The HTTP server span (OTLP kind 2 = SERVER) of POST /api/runs heads the trace.
      const server = trace.find(
        (s) =>
          s.kind === 2 && s.attributes?.some((a) => a.key === 'http.target' && a.value.stringValue === '/api/runs'),
      );
      expect(server, JSON.stringify(trace.map((s) => [s.name, s.kind]))).toBeDefined();
      expect(trace.map((s) => s.name)).toEqual(
        // The start takes its target's hold (a workflow that runs no code), then starts the run.
        expect.arrayContaining([
          'StartWorkflow:targetHold',
          'StartWorkflow:goLive',
          'RunWorkflow:goLive',
          'StartActivity:httpCheck',
          'RunActivity:httpCheck',
        ]),
      );

      const workerMetrics = await eventually(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
          return text.includes('temporal_activity_execution_latency') ? text : undefined;
        },
        'the worker metrics',
        30_000,
        500,
      );
      expect(workerMetrics).toMatch(/^temporal_worker_task_slots_available\{.*\} \d+/m);

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child!.once('exit', r));
      expect(code).toBe(0);
    },
  );
});
