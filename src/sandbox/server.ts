import type { AddressInfo } from 'node:net';
import { createSandboxApp, type SandboxOptions } from './app';

export interface RunningSandbox {
  url: string;
  close(): Promise<void>;
}

/** Listens on the given loopback port (0 picks a free one, as tests do). */
export function startSandbox(opts: { port: number; host?: string } & SandboxOptions): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const sandbox = createSandboxApp(opts);
  return new Promise((resolve, reject) => {
    const server = sandbox.app.listen(opts.port, host, (err?: Error) => {
      if (err) return reject(err);
      const { port } = server.address() as AddressInfo;
      const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      sandbox.listening(address);
      resolve({
        url: `http://${address}`,
        close: () =>
          new Promise<void>((done, fail) => {
            sandbox.stop();
            server.close((e) => (e ? fail(e) : done()));
            // Keep-alive sockets from load tests would hold close() open otherwise.
            server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
