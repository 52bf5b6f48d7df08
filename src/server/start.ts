import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadServerSecret } from '../auth/sessions';
import { PortInUse } from '../temporal/portCheck';
import { createApp } from './app';
import { answerMalformedRequests } from './malformedRequests';
import type { AppDeps } from './deps';

/** Listens with the app; a port someone else holds is a clear error naming the setting. */
export interface WebServer {
  url: string;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

const DEFAULT_CLOSE_GRACE_MS = 0;

/** The deps without the shared secret, which comes from the database unless given. */
export type WebServerDeps = Omit<AppDeps, 'serverSecret'> & { serverSecret?: Buffer };

export async function startWebServer(deps: WebServerDeps, where: { host: string; port: number }): Promise<WebServer> {
  const app = createApp({ ...deps, serverSecret: deps.serverSecret ?? (await loadServerSecret(deps.database.db)) });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(where.port, where.host);
    answerMalformedRequests(s);
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortInUse(where.port, 'golive web server', 'GOLIVE_PORT') : err);
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = where.host.includes(':') ? `[${where.host}]` : where.host;
  return {
    url: `http://${host}:${port}`,
    close: (graceMs = DEFAULT_CLOSE_GRACE_MS) =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Polling pages keep connections alive; do not let them hold shutdown up. A decision in
        // flight gets its grace to be answered (its caller can retry it with the same key anyway).
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
      }),
  };
}
