import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * A workflow interceptor for replay tests: hands the workflow's result to the test (a sink
 * called during replay), so a test can compare the record a replay rebuilds with the one the
 * recorded run returned. Replay itself checks only the commands, not what state they leave.
 */
export interface ResultSinks extends Sinks {
  replayed: { result(value: unknown): void };
}

const { replayed } = proxySinks<ResultSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        const result = await next(input);
        replayed.result(result);
        return result;
      },
    },
  ],
});
