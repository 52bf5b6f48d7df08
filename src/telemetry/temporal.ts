import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { RequestIdClientInterceptor } from '../temporal/requestIdInterceptor';
import { tracing } from './tracing';

/**
 * What golive's Temporal client and worker add for observability: the request id always, and
 * OpenTelemetry context propagation and workflow spans when tracing is on (src/telemetry/tracing.ts).
 */
export function clientInterceptors(): WorkflowClientInterceptor[] {
  return [new RequestIdClientInterceptor(), ...(tracing() ? [new OpenTelemetryWorkflowClientInterceptor()] : [])];
}

/** The worker's OpenTelemetry plugin (interceptors + workflow span sink), when tracing is on. */
export function workerPlugins(): OpenTelemetryPlugin[] {
  const t = tracing();
  return t ? [new OpenTelemetryPlugin({ resource: t.resource, spanProcessor: t.processor })] : [];
}

/**
 * Workflow interceptor modules a bundle built ahead of the worker must contain: the plugin adds
 * its module only when the worker bundles by itself, not to a bundle made on a worker thread.
 */
export function tracingWorkflowModules(): string[] {
  return tracing() ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : [];
}
