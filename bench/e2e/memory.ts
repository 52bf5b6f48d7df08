import { randomUUID } from 'node:crypto';
import { APPROVALS, newErrors, untilWaiting, type Way } from './drivers';
import type { Goal } from './goals';
import type { Child, Memory, Stack } from './stack';
import { limited } from './stats';

/**
 * Memory per open run: each side's worker process (its own child) before and after `count` runs
 * that all wait at their first approval (every one in the worker's sticky cache), after full
 * collections. The difference over the count is what one open run costs that worker.
 */

export interface MemoryOptions {
  count: number;
  pollMs: number;
  log: (line: string) => void;
}

const MB = 1024 * 1024;

async function perRun(
  stack: Stack,
  way: Way,
  worker: Child,
  o: MemoryOptions,
): Promise<{ rss: number; heap: number; before: Memory; after: Memory }> {
  const before = await worker.memory();
  const errors = newErrors();
  const runs = await limited(o.count, 16, (i) => way.start(`mem-${i}-${randomUUID().slice(0, 6)}`));
  await limited(runs.length, 16, (i) => untilWaiting(way, runs[i]!, APPROVALS[0].stepId, o.pollMs, errors));
  // Let the worker finish what the last tasks left (sticky-queue bookkeeping, buffers).
  await new Promise((r) => setTimeout(r, 2000));
  const after = await worker.memory();
  if (errors.count) o.log(`  ${errors.count} errors while opening ${way.label} runs: ${errors.samples.join(' | ')}`);
  await limited(runs.length, 32, (i) => stack.client.workflow.getHandle(runs[i]!).terminate('benchmark done'));
  return { rss: (after.rss - before.rss) / o.count, heap: (after.heapUsed - before.heapUsed) / o.count, before, after };
}

export async function memory(stack: Stack, ways: { golive: Way; bare: Way }, o: MemoryOptions): Promise<Goal[]> {
  const golive = await perRun(stack, ways.golive, stack.goliveWorker, o);
  const show = (m: Memory) =>
    `RSS ${(m.rss / MB).toFixed(0)} MB, heap ${(m.heapUsed / MB).toFixed(0)} MB (${m.threads} workflow thread(s))`;
  o.log(`  golive worker: ${show(golive.before)} → ${show(golive.after)}`);
  const bare = await perRun(stack, ways.bare, stack.bareWorker, o);
  o.log(`  bare worker:   ${show(bare.before)} → ${show(bare.after)}`);
  const ratio = golive.rss / bare.rss;
  return [
    {
      measure: `worker memory per open run (${o.count.toLocaleString('en')} waiting at an approval)`,
      golive: `${(golive.rss / MB).toFixed(2)} MB`,
      bare: `${(bare.rss / MB).toFixed(2)} MB`,
      ratio: { median: ratio, low: ratio, high: ratio },
      target: '≤ 0.3 MB (golive)',
      met: golive.rss / MB <= 0.3,
      note: `RSS per run; JavaScript heap per run: golive ${(golive.heap / MB).toFixed(3)} MB, bare ${(bare.heap / MB).toFixed(3)} MB (one measurement per side)`,
    },
  ];
}
