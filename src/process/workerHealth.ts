import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import { ProcessMetrics } from '../server/metrics';
import { PortInUse } from '../temporal/portCheck';

/**
 * A process that is only a worker still answers /healthz (alive) and /readyz (the worker is
 * polling Temporal) on GOLIVE_PORT, for orchestrators' probes, and /metrics: the refusals its
 * runs counted (golive_workflow_refusals_total) exist only in this process. Nothing else is served.
 */
export interface WorkerHealth {
  url: string;
  setWorker(worker: Worker): void;
  close(): Promise<void>;
}

export async function startWorkerHealth(where: { host: string; port: number }): Promise<WorkerHealth> {
  let worker: Worker | undefined;
  const metrics = new ProcessMetrics();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(405, { error: { code: 'method_not_allowed', message: 'only GET' } });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      const state = worker?.getState() ?? 'STARTING';
      return state === 'RUNNING'
        ? json(200, { status: 'ready', worker: state })
        : json(503, { status: 'unavailable', worker: state }, { 'Retry-After': '2' });
    }
    if (path === '/metrics') {
      void metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        () => json(500, { error: { code: 'internal', message: 'the metrics could not be collected' } }),
      );
      return;
    }
    return json(404, { error: { code: 'not_found', message: 'a worker serves only /healthz, /readyz and /metrics' } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUse(where.port, 'golive worker health server', 'GOLIVE_PORT') : err),
    );
    server.listen(where.port, where.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${where.host}:${port}`,
    setWorker: (w) => {
      worker = w;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
