import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on loopback that the runbook's webhook actions call: it records every
 * request in order (so tests can check that compensations ran in reverse), and answers 500 on
 * any path containing "/fail", and only after SLOW_MS on any path containing "/slow" (a step
 * that stays running long enough for a poller to see it so).
 */
const SLOW_MS = 2000;

export interface RecordedCall {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: unknown;
}

export interface Recorder {
  url: string;
  calls: RecordedCall[];
  paths(): string[];
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const calls: RecordedCall[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* keep text */
      }
      const key = req.headers['idempotency-key'];
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        idempotencyKey: Array.isArray(key) ? key[0] : key,
        body,
      });
      const failing = (req.url ?? '').includes('/fail');
      const answer = () => {
        res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: !failing }));
      };
      if ((req.url ?? '').includes('/slow')) setTimeout(answer, SLOW_MS);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    paths: () => calls.map((c) => c.path),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
