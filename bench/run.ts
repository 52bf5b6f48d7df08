import { formatTable, type Bench, type Row } from './harness';

/**
 * `npm run bench [-- name…]`: runs the benchmarks (all, or those named) one after another in
 * this process and ends with a table of their ratios. Modules load lazily, so naming one does
 * not pay for the others' imports (the replay bench loads the Temporal worker).
 */
const benches: Record<string, () => Promise<{ bench: Bench }>> = {
  sha256: () => import('./sha256.bench.js'),
  runbook: () => import('./runbook.bench.js'),
  policy: () => import('./policy.bench.js'),
  audit: () => import('./audit.bench.js'),
  replay: () => import('./replay.bench.js'),
  refusals: () => import('./refusals.bench.js'),
  e2e: () => import('./e2e.bench.js'),
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const rows: Row[] = [];
  // e2e starts its own Temporal, golive and bare workers for minutes: only when named.
  for (const name of asked.length > 0 ? asked : Object.keys(benches).filter((n) => n !== 'e2e')) {
    const { bench } = await benches[name]!();
    rows.push(...(await bench.run()));
  }
  console.log(`\nSummary (ratio = candidate time / baseline time, median of interleaved rounds)\n${formatTable(rows)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
