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
