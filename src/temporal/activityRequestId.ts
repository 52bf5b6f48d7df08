import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { createLogger, requestContext } from '../log';
import { REQUEST_ID_HEADER } from './requestIdHeader';

/**
 * Runs each activity inside the request context of the HTTP request that caused it (from the
 * header workflows/interceptors.ts passed on), so the activity's log lines carry its request id,
 * and logs the activity's start and end.
 */
const log = createLogger('activity');

export const activityRequestIdInterceptor: ActivityInterceptorsFactory = (ctx) => {
  const inbound: ActivityInboundCallsInterceptor = {
    execute: (input, next) => {
      const header = input.headers[REQUEST_ID_HEADER];
      const requestId = header ? defaultPayloadConverter.fromPayload<string>(header) : undefined;
      const run = async () => {
        const { activityType, workflowExecution, attempt } = ctx.info;
        const meta = { activityType, workflowId: workflowExecution?.workflowId, attempt };
        log.info('activity started', meta);
        const started = performance.now();
        try {
          const result = await next(input);
          log.info('activity completed', { ...meta, durationMs: Math.round(performance.now() - started) });
          return result;
        } catch (error) {
          log.warn('activity failed', {
            ...meta,
            durationMs: Math.round(performance.now() - started),
            error: error instanceof Error ? error.message : String(error),
          });
          throw error;
        }
      };
      return typeof requestId === 'string' ? requestContext.run({ requestId }, run) : run();
    },
  };
  return { inbound };
};
