import type { Headers } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { REQUEST_ID_HEADER } from '../src/temporal/requestIdHeader';

/**
 * Hands the request id of the HTTP request that last reached this run (its start, an Update or
 * a Signal) on to the activities the run schedules next, so a decision's log lines can be
 * followed from the web server into the worker. Headers are not part of the commands replay
 * compares, so this changes no history. One state object per workflow (the factory runs per run).
 */
export const interceptors = (): WorkflowInterceptors => {
  const seen: { header?: Headers[string] } = {};
  const remember = <T extends { headers: Headers }>(input: T): T => {
    const header = input.headers[REQUEST_ID_HEADER];
    if (header) seen.header = header;
    return input;
  };
  return {
    inbound: [
      {
        execute: (input, next) => next(remember(input)),
        handleUpdate: (input, next) => next(remember(input)),
        handleSignal: (input, next) => next(remember(input)),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) =>
          next(seen.header ? { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: seen.header } } : input),
      },
    ],
  };
};
