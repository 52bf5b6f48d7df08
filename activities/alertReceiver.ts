import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A one-shot webhook receiver opened for the duration of monitoring-verify: it resolves when a
 * POST whose JSON carries the expected token arrives, proving delivery end to end.
 */
export interface AlertReceiver {
  url: string;
  received: Promise<unknown>;
  close(): void;
}

export function openAlertReceiver(host: string, token: string): Promise<AlertReceiver> {
  let deliver: (alert: unknown) => void = () => undefined;
  const received = new Promise<unknown>((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let alert: unknown;
      try {
        alert = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        alert = undefined;
      }
      const matches = req.method === 'POST' && JSON.stringify(alert ?? null).includes(token);
      res.writeHead(matches ? 200 : 400).end();
      if (matches) deliver(alert);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/alerts/${token}`,
        received,
        close: () => {
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}
