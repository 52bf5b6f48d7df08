import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { currentRequestId } from '../log';
import { REQUEST_ID_HEADER } from './requestIdHeader';

/**
 * Puts the current request id (set by the web server per HTTP request) into the headers of
 * every start, Update and Signal the client sends, so the workflow can hand it on.
 */
function withRequestId<T extends { headers: Record<string, unknown> }>(input: T): T {
  const requestId = currentRequestId();
  if (!requestId) return input;
  return { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } };
}

export class RequestIdClientInterceptor implements WorkflowClientInterceptor {
  start: NonNullable<WorkflowClientInterceptor['start']> = (input, next) => next(withRequestId(input));
  startWithDetails: NonNullable<WorkflowClientInterceptor['startWithDetails']> = (input, next) =>
    next(withRequestId(input));
  startUpdate: NonNullable<WorkflowClientInterceptor['startUpdate']> = (input, next) => next(withRequestId(input));
  signal: NonNullable<WorkflowClientInterceptor['signal']> = (input, next) => next(withRequestId(input));
}
