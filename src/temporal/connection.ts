import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Interceptor } from '@grpc/grpc-js';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { FAST_RECONNECT_CHANNEL_ARGS, type TemporalAvailability } from './availability';
import type { TemporalTarget } from './target';
import { clientInterceptors } from '../telemetry/temporal';
import { goliveDataConverter, LARGE_MESSAGE_CHANNEL_ARGS } from './largePayloads';

export type { TemporalTarget };

/**
 * Where Temporal is, and how to reach it: the embedded dev server's address, or a cluster /
 * Temporal Cloud described with the SDK's envconfig conventions (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE, temporal.toml).
 */
export function targetFromEnvironment(fallbackNamespace: string): TemporalTarget {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  if (!connectionOptions.address) throw new Error('TEMPORAL_ADDRESS is not set');
  return {
    address: connectionOptions.address,
    namespace: namespace ?? fallbackNamespace,
    connectOptions: connectionOptions as Record<string, unknown>,
  };
}

export function devServerTarget(address: string, namespace: string): TemporalTarget {
  return { address, namespace, connectOptions: {} };
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({
    ...target.connectOptions,
    address: target.address,
    channelArgs: { ...(target.connectOptions.channelArgs as object | undefined), ...LARGE_MESSAGE_CHANNEL_ARGS },
  });
  return new Client({
    connection,
    namespace: target.namespace,
    interceptors: { workflow: clientInterceptors() },
    dataConverter: goliveDataConverter,
  });
}

/**
 * The web server's client: connects lazily (the server answers before Temporal does), retries a
 * failed call only briefly (the SDK's default keeps trying for ~20 s, holding the request), fails
 * fast while `availability` says Temporal is away, and reconnects within a second of its return.
 */
export function availableClient(target: TemporalTarget, availability: TemporalAvailability): Client {
  const retries: Interceptor = makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }));
  const connection = Connection.lazy({
    ...target.connectOptions,
    address: target.address,
    channelArgs: {
      ...(target.connectOptions.channelArgs as object | undefined),
      ...FAST_RECONNECT_CHANNEL_ARGS,
      ...LARGE_MESSAGE_CHANNEL_ARGS,
    },
    // Retries outside the gate: each attempt passes it, so a call cancelled as Temporal goes away
    // is not sent again to a Temporal that accepts connections but never answers.
    interceptors: [retries, availability.interceptor()],
  });
  // Workflow interceptors carry the request id and the trace context into the run.
  return new Client({
    connection,
    namespace: target.namespace,
    interceptors: { workflow: clientInterceptors() },
    dataConverter: goliveDataConverter,
  });
}
