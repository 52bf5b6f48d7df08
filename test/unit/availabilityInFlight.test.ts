import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporalAvailability } from '../../src/temporal/availability';
import { availableClient } from '../../src/temporal/connection';

/**
 * A call in flight when golive's probe finds Temporal away ends with "unreachable" (the web
 * server's 503), also when Temporal hangs rather than refuses: a Temporal that accepts
 * connections and never answers (a frozen process, a black-holed network) is played by a TCP
 * server that says nothing. The client's brief retries go through the fail-fast gate too; a retry
 * that went past it sent the cancelled call to the silent server again, and the request waited
 * (the run page's form said "Sending…" for as long as Temporal was away).
 */

let silent: net.Server;
let port = 0;
const sockets = new Set<net.Socket>();
beforeAll(async () => {
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('a call in flight when Temporal goes away', () => {
  it('ends as unreachable once the probe says Temporal is down, though Temporal never answers', async () => {
    const target = { address: `127.0.0.1:${port}`, namespace: 'default', connectOptions: {} };
    const availability = new TemporalAvailability(target);
    const client = availableClient(target, availability);
    const call = client.workflowService.getSystemInfo({});
    const outcome = call.then(
      () => 'answered',
      (err: { code?: number; details?: string }) => `${err.code} ${err.details}`,
    );
    // The probe's verdict (four probes that time out, in production): Temporal is away.
    const inFlight = (availability as unknown as { inFlight: Set<unknown> }).inFlight;
    while (inFlight.size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    (availability as unknown as { set(state: 'down'): void }).set('down');
    expect(await outcome).toMatch(/^14 Temporal is unreachable/);
    // A call made while Temporal is away fails at once, through the retries, as unreachable.
    await expect(client.workflowService.getSystemInfo({})).rejects.toMatchObject({
      code: 14,
      details: 'Temporal is unreachable',
    });
    await client.connection.close();
  }, 30_000);
});
