/**
 * How many frames an Error made in workflow code records (V8's default is 10). The SDK's
 * promise hook (@temporalio/worker, workflow/vm-shared.js; installed on the workflow thread
 * whatever the options) makes an Error for every promise workflow code creates and maps each of
 * its frames through the bundle's source map, for the `__stack_trace` query: measured, a fifth
 * of the workflow thread's CPU, the largest single cost of a run's tasks (issue 16; README,
 * Benchmarks). Three frames keep where an error was thrown and its two callers.
 *
 * It must be set before the SDK freezes the workflow context's globals, so this module is
 * evaluated as a preloaded module (src/worker.ts `WORKFLOW_PRELOAD_MODULES`); evaluated later
 * (a bundle without preloading, a context of its own), Error is frozen and it changes nothing.
 * Stacks are not part of any command, so replay is unaffected.
 */
export const WORKFLOW_STACK_FRAMES = 3;

const ErrorCtor = Error as ErrorConstructor & { stackTraceLimit?: number };
if (!Object.isFrozen(ErrorCtor)) {
  try {
    ErrorCtor.stackTraceLimit = WORKFLOW_STACK_FRAMES;
  } catch {
    // a frozen or sealed Error: the default stays
  }
}
