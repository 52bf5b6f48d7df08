import { Worker as Thread } from 'node:worker_threads';

/**
 * Bundles the workflow code on a worker thread. The SDK's bundler (webpack) keeps a thread busy
 * for several seconds; on the main thread that would stall the web server that shares the
 * process, which must answer while the worker gets ready.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { bundleWorkflowCode } = require(workerData.bundler);
const quiet = () => undefined;
const logger = { trace: quiet, debug: quiet, info: quiet, log: quiet, warn: (m) => console.warn(m), error: (m) => console.error(m) };
bundleWorkflowCode({ workflowsPath: workerData.workflowsPath, workflowInterceptorModules: workerData.interceptors, preloadModules: workerData.preload, logger }).then(
  (bundle) => parentPort.postMessage({ code: bundle.code }),
  (err) => parentPort.postMessage({ error: String((err && err.stack) || err) }),
);
`;

export function bundleInThread(
  workflowsPath: string,
  interceptors: readonly string[] = [],
  preload: readonly string[] = [],
): Promise<string> {
  const bundler = require.resolve('@temporalio/worker/lib/workflow/bundler');
  return new Promise((resolve, reject) => {
    const thread = new Thread(THREAD_SOURCE, {
      eval: true,
      workerData: { bundler, workflowsPath, interceptors: [...interceptors], preload: [...preload] },
    });
    thread.once('message', (m: { code?: string; error?: string }) => {
      void thread.terminate();
      if (m.code !== undefined) resolve(m.code);
      else reject(new Error(`bundling the workflows failed: ${m.error ?? 'no reason given'}`));
    });
    thread.once('error', reject);
    thread.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the bundling thread exited with code ${code}`));
    });
  });
}
