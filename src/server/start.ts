import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { PortInUse } from '../temporal/portCheck';
import { createApp } from './app';
import type { AppDeps } from './deps';

/** Listens with the app; a port someone else holds is a clear error naming the setting. */
export interface WebServer {
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(deps: AppDeps, where: { host: string; port: number }): Promise<WebServer> {
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(where.port, where.host);
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortInUse(where.port, 'golive web server', 'GOLIVE_PORT') : err);
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = where.host.includes(':') ? `[${where.host}]` : where.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Polling pages keep connections alive; do not let them hold shutdown up.
        server.closeAllConnections();
      }),
  };
}
