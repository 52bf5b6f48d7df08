import type { Client } from '@temporalio/client';
import { median } from '../harness';
import { api, HYPERCARE_RUNBOOK, sleep } from './drivers';
import { millis, ratioGoal, type Goal } from './goals';
import { limited, ratioStat, rotated } from './stats';
import type { Stack } from './stack';
import { largestStoredPayload } from './payloadSizes';
import { CpuShare } from './cpuShare';

/**
 * The audit trail and the dossier of one long run (hypercare with thousands of Red Button
 * reports, continued-as-new as Temporal suggests), through the HTTP API, against the SDK's raw
 * fetch of the same chain's history: what any tool must do to read the record at all.
 */

export interface TrailOptions {
  /** History events the chain should reach. */
  events: number;
  rounds: number;
  log: (line: string) => void;
}

/** Every run's history of the chain, latest first, as the SDK hands it out (no decoding of ours). */
export async function rawChain(client: Client, workflowId: string): Promise<number> {
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  let events = 0;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    events += history.events?.length ?? 0;
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return events;
}

async function longRun(stack: Stack, o: TrailOptions): Promise<{ runId: string; reports: number; stateBytes: number }> {
  const assignments = {
    'ai-product-manager': ['rm'],
    guardian: ['guardian'],
    operations: ['ops'],
    'end-user': ['user'],
  };
  const { runId } = (
    await api(
      stack,
      'rm',
      'POST',
      '/api/runs',
      { runbook: HYPERCARE_RUNBOOK, system: 'long-run', collaborationMode: 3, assignments },
      201,
    )
  ).body as { runId: string };
  while (((await api(stack, 'rm', 'GET', `/api/runs/${runId}`)).body as { status: string }).status !== 'hypercare')
    await sleep(200);
  let reports = 0;
  let refused: string | undefined;
  for (let events = 0; events < o.events && !refused; events = await rawChain(stack.client, runId)) {
    const report = (i: number) =>
      api(
        stack,
        'user',
        'POST',
        `/api/runs/${runId}/reports`,
        { severity: 'medium', description: `answer ${reports + i} cited a retired policy` },
        201,
      );
    const answers = await limited(250, 8, (i) =>
      report(i).then(
        () => true,
        (err: Error) => ((refused ??= err.message), false),
      ),
    );
    reports += answers.filter(Boolean).length;
    o.log(`  long run: ${reports} reports, ${events} events so far`);
  }
  // Measured all the same, on the record it has; the failure is the finding.
  if (refused) o.log(`  long run: a report failed after ${reports}: ${refused}`);
  const stateBytes = Buffer.byteLength(JSON.stringify((await api(stack, 'rm', 'GET', `/api/runs/${runId}`)).body));
  return { runId, reports, stateBytes };
}

async function stopRun(stack: Stack, runId: string): Promise<void> {
  await api(stack, 'guardian', 'POST', `/api/runs/${runId}/stop`, { reason: 'benchmark: the record is long enough' });
  await stack.client.workflow.getHandle(runId).result();
}

/**
 * The trail and the dossier of the run while it is still open: each round first adds a Red
 * Button report (untimed), so the run's content is new, its dossier is rendered afresh (five
 * PDFs, zip) and not served from the export cache, and the run still open is fetched, decoded
 * and its state queried again. What golive keeps of an open run is what cannot change: the runs
 * of its chain that continued as new (kept decoded) and the hash links of unchanged entries. The
 * warm-up's reads (the web process's first, nothing kept yet, code not yet compiled) are shown.
 */
async function openReads(stack: Stack, runId: string, o: TrailOptions): Promise<Goal[]> {
  const sides = {
    raw: () => rawChain(stack.client, runId),
    trail: () => api(stack, 'rm', 'GET', `/api/runs/${runId}/history`),
    dossier: () => api(stack, 'rm', 'GET', `/api/runs/${runId}/dossier`),
  };
  const names = Object.keys(sides) as (keyof typeof sides)[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof sides, number[]>;
  // Warm-up: connections, and the web process's first trail and dossier (its code not yet compiled).
  const warm = {} as Record<keyof typeof sides, number>;
  for (const n of names) warm[n] = await timed(sides[n]);
  o.log(`  open run, warm-up (the process's first reads): ${names.map((n) => `${n} ${millis(warm[n])}`).join(', ')}`);
  // CPU each process spent on each kind of read: what a loaded machine blurs least.
  const cpu = new CpuShare(stack.processes);
  for (let round = 0; round < o.rounds; round++) {
    await api(
      stack,
      'user',
      'POST',
      `/api/runs/${runId}/reports`,
      { severity: 'low', description: `round ${round + 1}: one more report, so nothing read below is cached` },
      201,
    );
    for (const n of rotated(names, round)) times[n].push(await cpu.measure(n, 1, () => timed(sides[n])));
    o.log(
      `  open run round ${round + 1}/${o.rounds}: ${names.map((n) => `${n} ${millis(times[n].at(-1)!)}`).join(', ')}`,
    );
  }
  for (const n of names) o.log(`  open run, ${n}: ${cpu.summary(n).replace('per run', 'per read')}`);
  const vsRaw = (n: 'trail' | 'dossier') => ratioStat(times[n].map((t, i) => t / times.raw[i]!));
  return [
    ratioGoal(
      `audit trail of the long run while open (a new report each round) vs raw fetch`,
      millis(median(times.trail)),
      millis(median(times.raw)),
      vsRaw('trail'),
      1.5,
    ),
    ratioGoal(
      `dossier export of the open run, its content new each round (not cached) vs raw fetch`,
      millis(median(times.dossier)),
      millis(median(times.raw)),
      vsRaw('dossier'),
      1.5,
    ),
    ...(['trail', 'dossier'] as const).map((n) =>
      ratioGoal(
        `the web process's first ${n === 'trail' ? 'trail read' : 'dossier export'} of the open run (nothing kept) vs raw fetch`,
        millis(warm[n]),
        millis(warm.raw),
        ratioStat([warm[n] / warm.raw]),
        undefined,
      ),
    ),
  ];
}

async function timed(act: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await act();
  return performance.now() - t0;
}

export async function trail(stack: Stack, o: TrailOptions): Promise<Goal[]> {
  const { runId, reports, stateBytes } = await longRun(stack, o);
  const open = await openReads(stack, runId, o);
  await stopRun(stack, runId);
  const stored = await largestStoredPayload(stack.client, runId);
  o.log(
    `  largest payload stored: ${(stored.bytes / 1024).toFixed(0)} KB (${stored.encoding}; Temporal's limit: 2 MB)`,
  );
  const events = await rawChain(stack.client, runId);
  const sides = {
    raw: () => rawChain(stack.client, runId),
    trail: () => api(stack, 'rm', 'GET', `/api/runs/${runId}/history`),
    dossier: () => api(stack, 'rm', 'GET', `/api/runs/${runId}/dossier`),
  };
  const names = Object.keys(sides) as (keyof typeof sides)[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof sides, number[]>;
  // Warm-up: connections and JIT on both sides, and golive's cache of the closed run (the first
  // trail read decodes the record, the first dossier export renders it): timed, shown apart.
  const first = {} as Record<keyof typeof sides, number>;
  for (const n of names) first[n] = await timed(sides[n]);
  o.log(`  first read: ${names.map((n) => `${n} ${millis(first[n])}`).join(', ')}`);
  for (let round = 0; round < o.rounds; round++) {
    for (const n of rotated(names, round)) times[n].push(await timed(sides[n]));
    o.log(`  trail round ${round + 1}/${o.rounds}: ${names.map((n) => `${n} ${millis(times[n].at(-1)!)}`).join(', ')}`);
  }
  const vsRaw = (n: 'trail' | 'dossier') => ratioStat(times[n].map((t, i) => t / times.raw[i]!));
  const what = `${events.toLocaleString('en')}-event run (${reports.toLocaleString('en')} reports)`;
  const query: Goal = {
    measure: `query answer of that run (GET /api/runs/:id)`,
    golive: `${(stateBytes / 1024).toFixed(0)} KB`,
    bare: '',
    target: '≤ 512 KB (Temporal: 2 MB a payload)',
    met: stateBytes <= 512 * 1024,
  };
  const firstVsRaw = (n: 'trail' | 'dossier') => ratioStat([first[n] / median(times.raw)]);
  return [
    ...open,
    ratioGoal(
      `first trail read of that run (decoded, not cached) vs raw fetch`,
      millis(first.trail),
      millis(median(times.raw)),
      firstVsRaw('trail'),
      undefined,
    ),
    ratioGoal(
      `first dossier export of it (rendered, not cached) vs raw fetch`,
      millis(first.dossier),
      millis(median(times.raw)),
      firstVsRaw('dossier'),
      undefined,
    ),
    ratioGoal(
      `audit trail of a ${what} vs raw history fetch`,
      millis(median(times.trail)),
      millis(median(times.raw)),
      vsRaw('trail'),
      1.5,
    ),
    ratioGoal(
      `dossier of the same run vs raw history fetch`,
      millis(median(times.dossier)),
      millis(median(times.raw)),
      vsRaw('dossier'),
      1.5,
    ),
    query,
  ];
}
