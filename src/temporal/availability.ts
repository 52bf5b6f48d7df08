import { InterceptingCall, ListenerBuilder, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import type { TemporalTarget } from './target';

/**
 * Is Temporal reachable right now? A small probe (GetSystemInfo on a connection of its own, two
 * second deadline) runs every PROBE_INTERVAL_MS. While Temporal is away, every call through a
 * connection that carries `interceptor()` fails at once with UNAVAILABLE, and calls in flight
 * when it goes away are cancelled, so the web server answers 503 in about a second instead of
 * waiting ~20 s for the SDK's retries to run out. The first good probe lets calls through again.
 */

export type AvailabilityState = 'unknown' | 'up' | 'down';

const UNREACHABLE_DETAILS = 'Temporal is unreachable';
const PROBE_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 2000;
/**
 * A refused connection is certain at once; a probe that only times out could be a busy server.
 * Four in a row (≈10 s) before calling it down: on a saturated machine a 1 s probe timed out
 * twice while Temporal was answering 100 racing decisions, and "down" cancelled them all.
 */
const TIMEOUTS_BEFORE_DOWN = 4;

/** Reconnect quickly once Temporal is back (gRPC's default backoff grows to two minutes). */
export const FAST_RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1000,
} as const;

export class TemporalAvailability {
  state: AvailabilityState = 'unknown';
  /** When the state last changed (ms since the epoch). */
  since = Date.now();
  private readonly inFlight = new Set<InterceptingCall>();
  private probeConnection: Connection | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timeouts = 0;
  private stopped = false;
  private readonly listeners: ((state: AvailabilityState) => void)[] = [];

  constructor(private readonly target: TemporalTarget) {}

  get down(): boolean {
    return this.state === 'down';
  }

  onChange(listener: (state: AvailabilityState) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.probeConnection = Connection.lazy({
      ...this.target.connectOptions,
      address: this.target.address,
      channelArgs: FAST_RECONNECT_CHANNEL_ARGS,
      // The probe must see each failure as it is: no retries.
      interceptors: [],
    });
    void this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.probeConnection?.close().catch(() => undefined);
  }

  /** One probe now; resolves with the state it leaves. */
  async probe(): Promise<AvailabilityState> {
    const connection = this.probeConnection;
    if (!connection) return this.state;
    try {
      await connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () => connection.workflowService.getSystemInfo({}));
      this.timeouts = 0;
      this.set('up');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === status.DEADLINE_EXCEEDED && ++this.timeouts < TIMEOUTS_BEFORE_DOWN) return this.state;
      this.set('down');
    }
    return this.state;
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.probe();
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), PROBE_INTERVAL_MS).unref();
  }

  private set(next: AvailabilityState): void {
    if (next === this.state) return;
    this.state = next;
    this.since = Date.now();
    if (next === 'down') {
      for (const call of this.inFlight)
        call.cancelWithStatus(status.UNAVAILABLE, `${UNREACHABLE_DETAILS} (it went away during the call)`);
      this.inFlight.clear();
    }
    for (const listener of this.listeners) listener(next);
  }

  /** For the connections the app uses: fail fast while down, cancel what is in flight on the way down. */
  interceptor(): Interceptor {
    return (options, nextCall) => {
      let failed = false;
      const call: InterceptingCall = new InterceptingCall(nextCall(options), {
        start: (metadata, listener, next) => {
          if (this.down) {
            failed = true;
            // A unary call ends with a message, null when it failed (grpc-js does the same): the
            // SDK's retry interceptor around this one needs it to hand the failure on.
            if (!options.method_definition.responseStream) listener.onReceiveMessage(null);
            listener.onReceiveStatus({
              code: status.UNAVAILABLE,
              details: UNREACHABLE_DETAILS,
              metadata: new Metadata(),
            });
            return;
          }
          this.inFlight.add(call);
          next(
            metadata,
            new ListenerBuilder()
              .withOnReceiveStatus((s, forward) => {
                this.inFlight.delete(call);
                forward(s);
              })
              .build(),
          );
        },
        sendMessage: (message, next) => {
          if (!failed) next(message);
        },
        halfClose: (next) => {
          if (!failed) next();
        },
      });
      return call;
    };
  }
}
