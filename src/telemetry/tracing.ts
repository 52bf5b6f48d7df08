import type { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type * as Resources from '@opentelemetry/resources';
import type * as InstrHttp from '@opentelemetry/instrumentation-http';
import type * as InstrExpress from '@opentelemetry/instrumentation-express';
import type * as OtlpGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';

/**
 * OpenTelemetry tracing from an HTTP request through the workflow to its activities. Off by
 * default; on with the standard variables: OTEL_TRACES_EXPORTER (otlp | console | none) or an
 * OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), protocol
 * from OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL (http/protobuf, http/json or grpc), the service name
 * from OTEL_SERVICE_NAME (default golive) and OTEL_RESOURCE_ATTRIBUTES; OTEL_SDK_DISABLED=true
 * wins. One span processor serves the process (HTTP and activity spans) and the worker's
 * workflow span sink, so all spans leave through the same exporter. The SDK, instrumentations
 * and exporters are loaded only when tracing is on.
 */
export interface Tracing {
  processor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined && exporter !== '') return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export function tracing(): Tracing | undefined {
  return active;
}

/** Must run before express and http are loaded (main.ts imports ./register first). */
export function startTracing(env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (active || !tracingWanted(env)) return active;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const { Resource: R, detectResourcesSync, envDetectorSync } = require('@opentelemetry/resources') as typeof Resources;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof InstrHttp;
  const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express') as typeof InstrExpress;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const resource = R.default()
    .merge(new R({ 'service.name': 'golive' }))
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }));
  const processor = new BatchSpanProcessor(exporterFrom(env), { scheduledDelayMillis: 1_000 });
  const sdk = new NodeSDK({
    resource,
    spanProcessors: [processor],
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
  });
  sdk.start();
  active = { processor, resource, shutdown: () => sdk.shutdown() };
  return active;
}

function exporterFrom(env: NodeJS.ProcessEnv): SpanExporter {
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (env.OTEL_TRACES_EXPORTER === 'console') {
    const { ConsoleSpanExporter } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
    return new ConsoleSpanExporter();
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol === 'grpc')
    return new (require('@opentelemetry/exporter-trace-otlp-grpc') as typeof OtlpGrpc).OTLPTraceExporter();
  if (protocol === 'http/json')
    return new (require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp).OTLPTraceExporter();
  return new (require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto).OTLPTraceExporter();
  /* eslint-enable @typescript-eslint/no-require-imports */
}

export async function stopTracing(): Promise<void> {
  await active?.shutdown();
  active = undefined;
}
