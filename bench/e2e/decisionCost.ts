import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { temporal } from '@temporalio/proto';
import {
  APPROVALS,
  bareClient,
  goliveClient,
  goliveHttp,
  newErrors,
  shapeRunbook,
  untilWaiting,
  type Way,
} from './drivers';
import { limited, percentile } from './stats';
import { startStack, type Stack } from './stack';
import { procStatFields } from '../../src/process/procStat';

/**
 * `npx tsx bench/e2e/decisionCost.ts` (DECISIONS=150): where a run's time goes, act by act, on
 * the end-to-end benchmark's stack. Each way (HTTP API, Temporal client, bare) starts its runs
 * one at a time, looks at each waiting run (LOOK_ROUNDS=3 times), then approves each, while the
 * CPU time of every process of the stack is read before and after each act (/proc: CPU time,
 * not wall time, so other work on a shared machine blurs it far less than a latency); each
 * run's history then says how long its decision's workflow task took in the worker and which
 * events it added. WAYS=0,1,2 picks ways, WARM=1 runs each twice, E2E_CPU_PROF profiles. Linux only.
 */

type Event = temporal.api.history.v1.IHistoryEvent;

/** CPU ms of the stack's processes (each child of this one with its descendants), by role. */
function cpuByProcess(): Map<string, number> {
  const procs = new Map<number, { ppid: number; cpuMs: number; label: string }>();
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const f = procStatFields(d);
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const role = /GOLIVE_ROLES=(\w+)/.exec(fs.readFileSync(`/proc/${d}/environ`, 'utf8'))?.[1];
      const label = role
        ? `golive-${role}`
        : /start-dev/.test(cmd)
          ? 'temporal'
          : /bare/.test(cmd)
            ? 'bare-worker'
            : 'other';
      procs.set(Number(d), { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * 10, label });
    } catch {
      // a process that ended meanwhile, or one not ours to read
    }
  }
  const childOfUs = (pid: number): number | undefined => {
    for (let cur = pid, i = 0; i < 10; i++) {
      const p = procs.get(cur);
      if (!p) return undefined;
      if (p.ppid === process.pid) return cur;
      cur = p.ppid;
    }
    return undefined;
  };
  const out = new Map<string, number>();
  for (const [pid, p] of procs) {
    const top = childOfUs(pid);
    if (top === undefined) continue;
    const label = procs.get(top)!.label;
    out.set(label, (out.get(label) ?? 0) + p.cpuMs);
  }
  const self = process.cpuUsage();
  out.set('this process', (self.user + self.system) / 1000);
  return out;
}

const ms = (e: Event) => Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;

/** The decision's workflow task in a run's history: its time in the worker and the events it added. */
function decisionTask(events: Event[]): { workerMs: number; added: string[] } | undefined {
  const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  let completed = accepted;
  while (completed >= 0 && !events[completed]!.workflowTaskCompletedEventAttributes) completed--;
  if (accepted < 0 || completed < 1) return undefined;
  const added: string[] = [];
  for (let i = completed + 1; i < events.length && !events[i]!.workflowTaskScheduledEventAttributes; i++)
    added.push(temporal.api.enums.v1.EventType[events[i]!.eventType!].replace('EVENT_TYPE_', ''));
  return { workerMs: ms(events[completed]!) - ms(events[completed - 1]!), added };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ms each process spent since `before`, per act. */
function perAct(before: Map<string, number>, acts: number): string {
  return [...cpuByProcess()].map(([k, v]) => `${k} ${((v - (before.get(k) ?? 0)) / acts).toFixed(2)}`).join(', ');
}

/**
 * Starts `n` runs one after another, then lets them work up to their first approval: the CPU a
 * start costs with the run's work before anyone decides (the HTTP way's includes the target's hold).
 */
async function startsCost(way: Way, n: number): Promise<string[]> {
  await pause(2000); // what came before settles first
  const before = cpuByProcess();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await way.start(`cost-${i}-${randomUUID().slice(0, 6)}`));
  await pause(Number(process.env.SETTLE_MS ?? 8000));
  console.log(`${way.label}: CPU ms per start (and the run's work up to its first approval): ${perAct(before, n)}`);
  const errors = newErrors();
  await limited(ids.length, 16, (i) => untilWaiting(way, ids[i]!, APPROVALS[0].stepId, 500, errors));
  return ids;
}

/** What one look at a waiting run (is the approval waiting?) costs each process (LOOK_ROUNDS looks a run). */
async function looksCost(way: Way, runIds: string[]): Promise<void> {
  await pause(2000);
  const before = cpuByProcess();
  const latency: number[] = [];
  for (let round = 0; round < Number(process.env.LOOK_ROUNDS ?? 3); round++)
    for (const runId of runIds) {
      const t0 = performance.now();
      await way.waiting(runId, APPROVALS[0].stepId);
      latency.push(performance.now() - t0);
    }
  if (!latency.length) return;
  const p50 = percentile(latency, 50).toFixed(2);
  console.log(`${way.label}: one look p50 ${p50} ms; CPU ms per look: ${perAct(before, latency.length)}`);
}

/** One decision a run, one at a time: its latency, CPU, workflow task time and added events. */
async function decisionsCost(stack: Stack, way: Way, runIds: string[]): Promise<void> {
  await pause(2000);
  const before = cpuByProcess();
  const latency: number[] = [];
  for (const runId of runIds) {
    const t0 = performance.now();
    await way.approve(runId, APPROVALS[0], randomUUID());
    latency.push(performance.now() - t0);
  }
  const cpu = perAct(before, runIds.length);
  const tasks = await Promise.all(
    runIds.map(async (id) => decisionTask((await stack.client.workflow.getHandle(id).fetchHistory()).events!)),
  );
  const workerMs = tasks.flatMap((t) => (t ? [t.workerMs] : []));
  console.log(
    `${way.label}: p50 ${percentile(latency, 50).toFixed(2)} ms, p90 ${percentile(latency, 90).toFixed(2)} ms; ` +
      `its workflow task in the worker p50 ${percentile(workerMs, 50).toFixed(2)} ms; ` +
      `events it added: ${tasks[0]?.added.join(' ')}; CPU ms per decision: ${cpu}`,
  );
}

async function main(): Promise<void> {
  const n = Number(process.env.DECISIONS ?? 150);
  const stack = await startStack({ maxCachedWorkflows: 2000, log: () => undefined });
  try {
    const all: Way[] = [goliveHttp(stack), goliveClient(stack, await shapeRunbook()), bareClient(stack)];
    // WAYS=0,2: only those ways (0 HTTP API, 1 Temporal client, 2 bare), e.g. to profile one.
    const chosen = process.env.WAYS ? process.env.WAYS.split(',').map((i) => all[Number(i)]!) : all;
    // WARM=1: every way goes twice, so the second pass pays no one's cold start (JIT, caches).
    const ways = process.env.WARM ? [...chosen, ...chosen] : chosen;
    const runs: string[][] = [];
    for (const way of ways) runs.push(await startsCost(way, n));
    for (const [i, way] of ways.entries()) await looksCost(way, runs[i]!);
    for (const [i, way] of ways.entries()) await decisionsCost(stack, way, runs[i]!);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
