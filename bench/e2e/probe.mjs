/* global process, setTimeout */
/**
 * Loaded with `--import` into the benchmark's worker processes (golive's own `src/main.ts` and
 * the bare worker, and the sandbox), it answers the parent's `{ probe: 'memory' }` over the IPC channel with the
 * process's memory after full collections, so "memory per open run" counts what the runs hold,
 * not garbage that happens to be around. The Temporal SDK runs workflows on a worker thread
 * with its own V8 heap, and threads inherit `--import`: each thread's copy of this module
 * collects its own heap when the main thread asks on a BroadcastChannel, and tells its size. Needs `--expose-gc`.
 * Plain JavaScript: worker threads load it before any TypeScript loader is registered.
 */
import { getHeapStatistics } from 'node:v8';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

const channel = new BroadcastChannel('golive-bench-probe');
channel.unref();
const collect = () => globalThis.gc?.();
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (!isMainThread) {
  channel.onmessage = (event) => {
    if (event.data !== 'collect') return;
    collect();
    collect();
    channel.postMessage({ threadHeapUsed: getHeapStatistics().used_heap_size });
  };
} else if (process.send) {
  process.channel?.unref();
  // The benchmark died (a crash, Ctrl-C): stop as on SIGTERM rather than run on orphaned.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.on('message', async (message) => {
    if (message?.probe !== 'memory') return;
    let threadsHeap = 0;
    let threads = 0;
    channel.onmessage = (event) => {
      threadsHeap += event.data?.threadHeapUsed ?? 0;
      threads++;
    };
    channel.postMessage('collect');
    collect();
    // A workflow thread holding a thousand runs takes seconds to collect: wait for its answer
    // (up to 15 s) so its heap is counted and its garbage is gone before RSS is read.
    for (let waited = 0; threads === 0 && waited < 15_000; waited += 250) await pause(250);
    await pause(500);
    collect();
    const { rss, heapUsed, external } = process.memoryUsage();
    // heapUsed: every thread's JavaScript heap (the workflows live on the SDK's thread).
    process.send?.({
      probe: 'memory',
      rss,
      heapUsed: heapUsed + threadsHeap,
      external,
      threads,
      collected: globalThis.gc !== undefined,
    });
  });
}
