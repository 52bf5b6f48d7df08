import net from 'node:net';

/** Resolves true when nothing listens on host:port (so a server we start there can bind it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.once('listening', () => probe.close(() => resolve(true)));
    probe.listen(port, host);
  });
}

/** Asks the OS for a free port on loopback (for tests and ephemeral servers). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

export class PortInUse extends Error {
  override name = 'PortInUse';
  constructor(
    readonly port: number,
    readonly what: string,
    readonly envVar: string,
  ) {
    super(`port ${port} (${what}) is already in use: stop what holds it, or set ${envVar} to another port`);
  }
}
