import http from 'node:http';

/**
 * The webhook receiver monitoring-verify opens where Alertmanager is configured to deliver: it
 * resolves when a POST whose JSON carries the expected token arrives, proving delivery end to
 * end. Other alerts arriving meanwhile (real ones for the same receiver) are acknowledged and
 * ignored.
 */
export interface AlertReceiver {
  received: Promise<{ at: number; payload: unknown }>;
  close(): void;
}

export function openAlertReceiver(url: URL, token: string): Promise<AlertReceiver> {
  let deliver: (arrival: { at: number; payload: unknown }) => void = () => undefined;
  const received = new Promise<{ at: number; payload: unknown }>((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      res.writeHead(req.method === 'POST' ? 200 : 405).end();
      if (req.method === 'POST' && req.url?.split('?')[0] === (url.pathname || '/') && text.includes(token)) {
        let payload: unknown;
        try {
          payload = JSON.parse(text);
        } catch {
          payload = text;
        }
        deliver({ at: performance.now(), payload });
      }
    });
  });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(url.port), host, () => {
      resolve({
        received,
        close: () => {
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}
